import { describe, expect, it } from "vitest";
import { webIdentityAdvice } from "../../src/sources/web-identity-advice.js";
import { describeStsFailure } from "../../src/sts/failure.js";
import {
  backoffDelayMs,
  classifyStsFailure,
  DEFAULT_RETRY_POLICY,
  shouldRetry,
  stsErrorCode,
} from "../../src/sts/retry.js";

const sdkError = (name: string, status?: number, message = name): Error =>
  Object.assign(new Error(message), { name, ...(status !== undefined && { $metadata: { httpStatusCode: status } }) });

describe("classifyStsFailure", () => {
  it("sorts SDK errors by what AWS documents as retryable", () => {
    expect(classifyStsFailure(sdkError("IDPCommunicationErrorException", 400))).toBe("idp-communication");
    expect(classifyStsFailure(sdkError("InvalidIdentityTokenException", 400))).toBe("invalid-token");
    expect(classifyStsFailure(sdkError("Throttling", 400))).toBe("throttling");
    expect(classifyStsFailure(sdkError("SomethingElse", 429))).toBe("throttling");
    expect(classifyStsFailure(sdkError("ServiceUnavailable", 503))).toBe("server");
    expect(classifyStsFailure(sdkError("Whatever", 500))).toBe("server");
    expect(classifyStsFailure(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }))).toBe("network");
    expect(classifyStsFailure(sdkError("TimeoutError"))).toBe("network");
    expect(classifyStsFailure(sdkError("AccessDenied", 403))).toBe("fatal");
    expect(classifyStsFailure(sdkError("ExpiredTokenException", 400))).toBe("fatal");
    expect(classifyStsFailure(new Error("boom"))).toBe("fatal");
    expect(classifyStsFailure("not an error")).toBe("fatal");
  });

  it("reads AWS error codes off SDK exception names", () => {
    expect(stsErrorCode(sdkError("InvalidIdentityTokenException"))).toBe("InvalidIdentityToken");
    expect(stsErrorCode(sdkError("ThrottlingException"))).toBe("Throttling");
    expect(stsErrorCode(new Error("plain"))).toBeUndefined();
  });
});

describe("shouldRetry", () => {
  const policy = DEFAULT_RETRY_POLICY;
  it("retries transient kinds up to maxAttempts, never fatal ones", () => {
    for (const kind of ["throttling", "server", "idp-communication", "network"] as const) {
      expect(shouldRetry(kind, 1, 0, policy)).toBe(true);
      expect(shouldRetry(kind, 2, 0, policy)).toBe(true);
      expect(shouldRetry(kind, 3, 0, policy)).toBe(false);
    }
    expect(shouldRetry("fatal", 1, 0, policy)).toBe(false);
  });

  it("retries InvalidIdentityToken once per fetch", () => {
    expect(shouldRetry("invalid-token", 1, 0, policy)).toBe(true);
    expect(shouldRetry("invalid-token", 2, 1, { ...policy, maxAttempts: 10 })).toBe(false);
  });
});

describe("backoffDelayMs", () => {
  const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
  it("is full jitter under an exponential, capped ceiling", () => {
    expect(backoffDelayMs(1, "server", policy, 0.999999)).toBe(99);
    expect(backoffDelayMs(2, "server", policy, 0.5)).toBe(100);
    expect(backoffDelayMs(3, "server", policy, 0.5)).toBe(200);
    expect(backoffDelayMs(10, "server", policy, 0.999999)).toBe(999);
    expect(backoffDelayMs(1, "server", policy, 0)).toBe(0);
  });

  it("starts higher for throttling", () => {
    expect(backoffDelayMs(1, "throttling", policy, 0.5)).toBe(200);
  });
});

describe("describeStsFailure", () => {
  const context = {
    operation: "AssumeRoleWithWebIdentity",
    roleArn: "arn:aws:iam::123456789012:role/app",
    endpoint: "https://sts.eu-west-1.amazonaws.com",
    region: "eu-west-1",
    attempts: 2,
  };
  const advice = webIdentityAdvice({ roleArn: context.roleArn, tokenFile: "/var/run/secrets/token" });
  const mask = (value: string | undefined) => ({ value, label: "[token]" });

  it("says what failed, where, how often, and what to check", () => {
    const message = describeStsFailure(sdkError("InvalidIdentityTokenException", 400, "No OpenIDConnect provider found"), "invalid-token", context, advice, mask("tok"));
    expect(message).toContain("AssumeRoleWithWebIdentity for arn:aws:iam::123456789012:role/app at https://sts.eu-west-1.amazonaws.com failed after 2 attempts");
    expect(message).toContain("InvalidIdentityToken (HTTP 400): No OpenIDConnect provider found");
    expect(message).toContain("/var/run/secrets/token");
    expect(message).toContain("OIDC issuer is registered as an IAM identity provider");
  });

  it("gives advice for trust policy, region and network problems", () => {
    expect(describeStsFailure(sdkError("AccessDenied", 403), "fatal", context, advice, mask(undefined))).toContain("trust policy");
    expect(describeStsFailure(sdkError("RegionDisabledException", 403), "fatal", context, advice, mask(undefined))).toContain("STS is not activated in eu-west-1");
    expect(describeStsFailure(sdkError("TimeoutError"), "network", context, advice, mask(undefined))).toContain("Check DNS, security groups");
  });

  it("never repeats the token, even if the service echoes it", () => {
    const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
    const message = describeStsFailure(sdkError("ValidationError", 400, `bad token ${token}`), "fatal", context, advice, mask(token));
    expect(message).not.toContain(token);
    expect(message).toContain("[token]");
  });
});
