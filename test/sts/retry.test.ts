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

  it("the InvalidIdentityToken retry spent does not stop retries of other kinds", () => {
    for (const kind of ["throttling", "server", "idp-communication", "network"] as const) expect(shouldRetry(kind, 2, 1, policy), kind).toBe(true);
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

describe("classifyStsFailure, every code and which wins", () => {
  it("each throttling, server and network code AWS and Node use", () => {
    for (const code of ["Throttling", "TooManyRequests", "RequestLimitExceeded", "RequestThrottled", "SlowDown", "PriorRequestNotComplete"]) {
      expect(classifyStsFailure(sdkError(code, 400)), code).toBe("throttling");
    }
    for (const code of ["InternalFailure", "InternalError", "ServiceUnavailable", "InternalServerError"]) {
      expect(classifyStsFailure(sdkError(code, 400)), code).toBe("server");
    }
    for (const code of ["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "ECONNABORTED", "EHOSTUNREACH", "ENETUNREACH"]) {
      expect(classifyStsFailure(Object.assign(new Error("x"), { code })), code).toBe("network");
    }
    for (const name of ["TimeoutError", "RequestTimeout", "RequestTimeoutException", "AbortError"]) {
      expect(classifyStsFailure(sdkError(name)), name).toBe("network");
    }
  });

  it("the status alone: 429 throttles, 500 and up are the server's, 499 and 400 are fatal", () => {
    expect(classifyStsFailure(sdkError("Unknown", 429))).toBe("throttling");
    expect(classifyStsFailure(sdkError("Unknown", 500))).toBe("server");
    expect(classifyStsFailure(sdkError("Unknown", 599))).toBe("server");
    expect(classifyStsFailure(sdkError("Unknown", 499))).toBe("fatal");
    expect(classifyStsFailure(sdkError("Unknown", 400))).toBe("fatal");
  });

  it("the code wins over the status: throttling at 503, IdP and token errors at 500, a network errno at 500 is the server's", () => {
    expect(classifyStsFailure(sdkError("Throttling", 503))).toBe("throttling");
    expect(classifyStsFailure(sdkError("IDPCommunicationError", 500))).toBe("idp-communication");
    expect(classifyStsFailure(sdkError("InvalidIdentityToken", 503))).toBe("invalid-token");
    expect(classifyStsFailure(Object.assign(sdkError("Unknown", 502), { code: "ECONNRESET" }))).toBe("server");
  });
});

describe("shouldRetry and backoffDelayMs at their edges", () => {
  it("a one-attempt policy retries nothing, InvalidIdentityToken included", () => {
    const once = { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 };
    for (const kind of ["throttling", "server", "idp-communication", "network", "invalid-token"] as const) expect(shouldRetry(kind, 1, 0, once)).toBe(false);
  });

  it("the ceiling caps throttling's larger base too, and a random outside [0, 1) is clamped", () => {
    const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelayMs(4, "throttling", policy, 0.999999)).toBe(999);
    expect(backoffDelayMs(2, "throttling", policy, 0.5)).toBe(400);
    expect(backoffDelayMs(0, "server", policy, 0.5)).toBe(50);
    expect(backoffDelayMs(2, "server", policy, -1)).toBe(0);
    expect(backoffDelayMs(2, "server", policy, 2)).toBe(200);
  });
});

describe("describeStsFailure, every part of the sentence", () => {
  const context = { operation: "AssumeRole", roleArn: "arn:aws:iam::123456789012:role/app", endpoint: "https://sts.eu-west-1.amazonaws.com", region: "eu-west-1", attempts: 1 };
  const none = (): undefined => undefined;

  it("one attempt is singular; a code already leading the message is not repeated", () => {
    const message = describeStsFailure(sdkError("AccessDenied", 403, "AccessDenied: not allowed"), "fatal", context, none);
    expect(message).toBe("AssumeRole for arn:aws:iam::123456789012:role/app at https://sts.eu-west-1.amazonaws.com failed after 1 attempt: AccessDenied: not allowed");
  });

  it("a code with no status has no HTTP part; a message ending in punctuation gets no second full stop", () => {
    const message = describeStsFailure(sdkError("Throttling", undefined, "Rate exceeded!"), "throttling", context, none);
    expect(message).toContain("failed after 1 attempt: Throttling: Rate exceeded! STS throttled the calls.");
  });

  it("a message without a full stop gets one before the advice", () => {
    expect(describeStsFailure(sdkError("ServiceUnavailable", 503, "down"), "server", context, none)).toContain(
      "ServiceUnavailable (HTTP 503): down. STS answered with server errors; this is usually transient.",
    );
    // Only the end counts: a full stop inside the message does not make one.
    expect(describeStsFailure(sdkError("ServiceUnavailable", 503, "v1.2 down"), "server", context, none)).toContain("v1.2 down. STS answered");
  });

  it("no advice at all: the message ends with the error, nothing appended", () => {
    expect(describeStsFailure(sdkError("ValidationError", 400, "bad"), "fatal", context, none)).toMatch(/ValidationError \(HTTP 400\): bad$/);
  });

  it("the operation's advice comes before what every STS call shares", () => {
    const own = (code: string | undefined): string | undefined => (code === "Throttling" ? "Ask for a higher quota." : undefined);
    expect(describeStsFailure(sdkError("Throttling", 400, "slow"), "throttling", context, own)).toMatch(/slow\. Ask for a higher quota\.$/);
  });

  it("a DNS failure names the host: Node's hostname, else the endpoint's, else the endpoint as given", () => {
    const dns = (extra: object): Error => Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND", ...extra });
    expect(describeStsFailure(dns({ hostname: "sts.eu-wset-1.amazonaws.com" }), "network", context, none)).toContain("The STS host sts.eu-wset-1.amazonaws.com did not resolve (ENOTFOUND)");
    expect(describeStsFailure(dns({ hostname: "" }), "network", context, none)).toContain("The STS host sts.eu-west-1.amazonaws.com did not resolve");
    expect(describeStsFailure(dns({}), "network", { ...context, endpoint: "not a url" }, none)).toContain("The STS host not a url did not resolve");
    for (const code of ["EAI_AGAIN", "EAI_NONAME", "EAI_FAIL"]) {
      expect(describeStsFailure(dns({ code }), "network", context, none)).toContain(`did not resolve (${code})`);
    }
    expect(describeStsFailure(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }), "network", context, none)).not.toContain("did not resolve");
  });

  it("a masked secret with no value masks nothing", () => {
    expect(describeStsFailure(sdkError("ValidationError", 400, "bad"), "fatal", context, none, { value: "", label: "[token]" })).not.toContain("[token]");
  });
});
