/**
 * Which errors mean "AWS rejects these credentials" (pure classification, every protocol's shape).
 */
import { describe, expect, it } from "vitest";
import { credentialRejectionCode } from "../../src/refresh/rejection-codes.js";
import { mandatoryWindowFor, rememberRejectedKey, REJECTED_KEYS_KEPT } from "../../src/refresh/rejection-rules.js";

const awsError = (name: string, extra: Record<string, unknown> = {}): Error => Object.assign(new Error("m"), { name, $metadata: { httpStatusCode: 403 }, ...extra });

describe("credentialRejectionCode", () => {
  it.each([
    ["ExpiredToken", awsError("ExpiredToken"), "ExpiredToken"],
    ["ExpiredTokenException (JSON services)", awsError("ExpiredTokenException"), "ExpiredTokenException"],
    ["InvalidClientTokenId (awsQuery)", awsError("InvalidClientTokenId"), "InvalidClientTokenId"],
    ["UnrecognizedClientException (DynamoDB)", awsError("UnrecognizedClientException"), "UnrecognizedClientException"],
    ["InvalidToken", awsError("InvalidToken"), "InvalidToken"],
    ["AuthFailure (EC2)", awsError("AuthFailure"), "AuthFailure"],
    ["InvalidAccessKeyId (S3)", awsError("InvalidAccessKeyId"), "InvalidAccessKeyId"],
    ["TokenRefreshRequired (S3)", awsError("TokenRefreshRequired"), "TokenRefreshRequired"],
    ["an SQS JSON error with the awsQuery-compatible Code", awsError("SQSServiceException", { Code: "InvalidClientTokenId;Sender" }), "InvalidClientTokenId"],
    ["a namespaced __type", awsError("ServiceException", { __type: "com.amazon.coral.service#ExpiredTokenException" }), "ExpiredToken"],
  ])("%s is a rejection", (_label, error, code) => {
    expect(credentialRejectionCode(error)).toBe(code);
  });

  it.each([
    ["AccessDenied", awsError("AccessDenied")],
    ["AccessDeniedException", awsError("AccessDeniedException")],
    ["AccessDenied whatever else it says", awsError("AccessDenied", { Code: "ExpiredToken" })],
    ["SignatureDoesNotMatch (the SDK corrects its clock itself)", awsError("SignatureDoesNotMatch")],
    ["RequestTimeTooSkewed", awsError("RequestTimeTooSkewed")],
    ["InvalidIdentityToken (the source's token, not the signing credentials)", awsError("InvalidIdentityToken")],
    ["awscreds' own CredentialsExpiredError", Object.assign(new Error("x"), { name: "CredentialsExpiredError" })],
    ["a throttling error", awsError("ThrottlingException")],
    ["not an object", "ExpiredToken"],
  ])("%s is not", (_label, error) => {
    expect(credentialRejectionCode(error)).toBeUndefined();
  });
});

describe("rules", () => {
  it("the mandatory window is the option, at most a tenth of the lifetime, 0 without one", () => {
    expect(mandatoryWindowFor(3_600_000, 60_000)).toBe(60_000);
    expect(mandatoryWindowFor(300_000, 60_000)).toBe(30_000);
    expect(mandatoryWindowFor(0, 60_000)).toBe(0);
    expect(mandatoryWindowFor(-5, 60_000)).toBe(0);
    expect(mandatoryWindowFor(3_600_000, 0)).toBe(0);
  });

  it("rejected keys are remembered once each, the oldest dropped past the bound", () => {
    const keys: string[] = [];
    for (let i = 0; i < REJECTED_KEYS_KEPT + 3; i++) rememberRejectedKey(keys, `K${i}`);
    rememberRejectedKey(keys, "K5");
    expect(keys).toHaveLength(REJECTED_KEYS_KEPT);
    expect(keys[0]).toBe("K3");
    expect(keys.filter((k) => k === "K5")).toHaveLength(1);
  });
});
