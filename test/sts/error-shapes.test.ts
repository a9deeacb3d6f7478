/**
 * STS error classification for anything a call can throw: null, undefined and primitives are fatal with no
 * code (never a TypeError), a `Code` field wins over the name, and "…Exception" names lose the suffix.
 */
import { describe, expect, it } from "vitest";
import { classifyStsFailure, stsErrorCode } from "../../src/sts/retry.js";
import { failoverOutcome } from "../../src/sts/failover-kind.js";

describe("whatever was thrown", () => {
  it("null, undefined, strings and numbers: no code, fatal, no failover verdict error", () => {
    for (const thrown of [null, undefined, "ECONNRESET", 503]) {
      expect(stsErrorCode(thrown)).toBeUndefined();
      expect(classifyStsFailure(thrown)).toBe("fatal");
      expect(() => failoverOutcome(thrown)).not.toThrow();
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
