/**
 * STS error classification for anything a call can throw: null, undefined and primitives are fatal with no
 * code (never a TypeError), a `Code` field wins over the name, and "…Exception" names lose the suffix.
 */
import { describe, expect, it } from "vitest";
import { classifyStsFailure, stsErrorCode } from "../../src/sts/retry.js";
import { failoverOutcome } from "../../src/sts/failover-kind.js";
import { describeStsFailure } from "../../src/sts/failure.js";

const context = { operation: "AssumeRole", roleArn: "arn:aws:iam::123456789012:role/app", endpoint: "https://sts.eu-west-1.amazonaws.com", region: "eu-west-1", attempts: 1 };

describe("whatever was thrown", () => {
  it("null, undefined, strings and numbers: no code, fatal, no failover verdict error", () => {
    for (const thrown of [null, undefined, "ECONNRESET", 503]) {
      expect(stsErrorCode(thrown)).toBeUndefined();
      expect(classifyStsFailure(thrown)).toBe("fatal");
      expect(() => failoverOutcome(thrown)).not.toThrow();
      expect(describeStsFailure(thrown, "fatal", context, () => undefined)).toMatch(/^AssumeRole for arn:aws:iam::123456789012:role\/app at https:\/\/sts\.eu-west-1\.amazonaws\.com failed after 1 attempt: /);
    }
  });

  it("objects without a usable name or Code (none, or not a string): no code, never a TypeError", () => {
    for (const thrown of [{}, { message: "x" }, { name: 42 }, { Code: 42, name: undefined }]) {
      expect(stsErrorCode(thrown), JSON.stringify(thrown)).toBeUndefined();
      expect(classifyStsFailure(thrown)).toBe("fatal");
    }
  });

  it("the code: `Code` before the name, a bare Error has none, `…Exception` trimmed but not `Exception` itself", () => {
    expect(stsErrorCode(Object.assign(new Error("x"), { name: "SomethingElse", Code: "Throttling" }))).toBe("Throttling");
    expect(stsErrorCode(new Error("x"))).toBeUndefined();
    expect(stsErrorCode(Object.assign(new Error("x"), { name: "ExpiredTokenException" }))).toBe("ExpiredToken");
    expect(stsErrorCode(Object.assign(new Error("x"), { name: "Exception" }))).toBe("Exception");
  });

  it("network failures by errno code or by name; anything else without a status is fatal", () => {
    expect(classifyStsFailure(Object.assign(new Error("x"), { code: "ECONNRESET" }))).toBe("network");
    expect(classifyStsFailure(Object.assign(new Error("x"), { code: "EACCES" }))).toBe("fatal");
    expect(classifyStsFailure(Object.assign(new Error("x"), { name: "TimeoutError" }))).toBe("network");
  });
});
