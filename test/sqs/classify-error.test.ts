import { describe, expect, it } from "vitest";
import { classifyError, describeError, errorCodes } from "../../src/sqs/classify-error.js";

function awsError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), { name, ...extra });
}

describe("classifyError", () => {
  it.each([
    ["ExpiredToken", {}],
    ["ExpiredTokenException", {}],
    ["InvalidClientTokenId", {}],
    ["AccessDenied", {}],
    ["AccessDeniedException", {}],
    ["UnrecognizedClientException", {}],
    ["SignatureDoesNotMatch", {}],
    ["CredentialsProviderError", {}],
    ["SQSServiceException", { Code: "ExpiredToken" }],
    // awscreds' own refreshing providers, as a client's send() rethrows them.
    ["CredentialsExpiredError", {}],
    ["RefresherStoppedError", {}],
  ])("treats %s as a credentials error", (name, extra) => {
    expect(classifyError(awsError(name, extra))).toBe("credentials");
  });

  it.each(["Throttling", "ThrottlingException", "RequestThrottled", "OverLimit", "KmsThrottled"])("treats %s as throttling", (name) => {
    expect(classifyError(awsError(name))).toBe("throttling");
  });

  it("reads awsQuery-compatible codes with namespaces and fault suffixes", () => {
    expect(errorCodes(awsError("QueueDoesNotExist", { Code: "AWS.SimpleQueueService.NonExistentQueue" }))).toEqual([
      "QueueDoesNotExist",
      "NonExistentQueue",
    ]);
    expect(classifyError(awsError("Unknown", { Code: "AWS.SimpleQueueService.NonExistentQueue;Sender" }))).toBe("fatal");
    expect(classifyError(awsError("Weird", { __type: "com.amazon.coral.service#ExpiredTokenException" }))).toBe("credentials");
  });

  it("treats errors that cannot succeed on retry as fatal", () => {
    expect(classifyError(awsError("QueueDoesNotExist"))).toBe("fatal");
    expect(classifyError(awsError("InvalidParameterValue"))).toBe("fatal");
    expect(classifyError(awsError("InvalidAddress"))).toBe("fatal");
  });

  it("falls back to the HTTP status, then to transient", () => {
    expect(classifyError(awsError("Mystery", { $metadata: { httpStatusCode: 429 } }))).toBe("throttling");
    expect(classifyError(awsError("Mystery", { $metadata: { httpStatusCode: 403 } }))).toBe("credentials");
    expect(classifyError(awsError("ServiceUnavailable", { $metadata: { httpStatusCode: 503 } }))).toBe("transient");
    expect(classifyError(awsError("TimeoutError"))).toBe("transient");
    expect(classifyError(Object.assign(new Error("reset"), { code: "ECONNRESET" }))).toBe("transient");
    expect(classifyError("a string")).toBe("transient");
  });

  it("recognises our own aborts", () => {
    const controller = new AbortController();
    controller.abort();
    expect(classifyError(awsError("ExpiredToken"), controller.signal)).toBe("aborted");
    expect(classifyError(awsError("AbortError"))).toBe("aborted");
  });
});

describe("describeError", () => {
  it("is one bounded line with name, code and message", () => {
    expect(describeError(awsError("QueueDoesNotExist", { Code: "AWS.SimpleQueueService.NonExistentQueue" }))).toBe(
      "QueueDoesNotExist (AWS.SimpleQueueService.NonExistentQueue): QueueDoesNotExist happened",
    );
    expect(describeError(new Error("x".repeat(1_000))).length).toBe(300);
  });

  it("never includes request or response objects", () => {
    const error = awsError("ExpiredToken", { $response: { body: "secret-ish" }, request: { headers: { authorization: "AWS4 ..." } } });
    expect(describeError(error)).not.toMatch(/secret-ish|AWS4/);
  });
});
