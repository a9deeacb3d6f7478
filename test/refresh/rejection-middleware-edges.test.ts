/**
 * The rejected-credentials middleware's decisions in isolation: a stand-in middleware stack captures the
 * handler, so each branch (not a rejection, no target, replaced or not, rejected again) runs in microseconds.
 */
import { describe, expect, it, vi } from "vitest";
import { attachProvider, explainRejection, installRejectionRecovery, REJECTION_MIDDLEWARE_NAME, signedAccessKeyId } from "../../src/refresh/rejection-middleware.js";
import { CLOCK_OFFSET, forwardRejections, rejectionTargetOf } from "../../src/refresh/rejection-target.js";
import { credentialRejectionCode } from "../../src/refresh/rejection-codes.js";
import { describeError } from "../../src/refresh/errors.js";
import { maskAccessKeyId } from "../../src/shared/mask-access-key-id.js";

const KEY = "ASIAEXAMPLEKEY123456";
const expired = (): Error => Object.assign(new Error("The security token included in the request is expired"), { name: "ExpiredToken" });
const contextSigning = (accessKeyId?: unknown): Record<string, unknown> => ({ __smithy_context: { selectedHttpAuthScheme: { identity: { accessKeyId } } } });

type Handler = (args: object) => Promise<unknown>;
function fakeClient(credentials: unknown, systemClockOffset?: unknown) {
  const added: { mw?: (next: Handler, context: unknown) => Handler; options?: unknown } = {};
  const client = {
    config: { credentials, systemClockOffset } as Record<string, unknown>,
    middlewareStack: { add: (mw: (next: Handler, context: unknown) => Handler, options: unknown) => Object.assign(added, { mw, options }) },
  };
  installRejectionRecovery(client as never);
  const run = (next: Handler, context: unknown = contextSigning(KEY)) => added.mw!(next, context)({});
  return { client, added, run };
}
function target(replaced: boolean) {
  return { invalidate: vi.fn(async () => ({ replaced, fetched: replaced, reason: replaced ? undefined : "rate limited" })), [CLOCK_OFFSET]: vi.fn() };
}

describe("installRejectionRecovery", () => {
  it("adds one initialize-step middleware by name, overriding an earlier one, tagged as awscreds'", () => {
    expect(fakeClient(target(true)).added.options).toEqual({ step: "initialize", name: REJECTION_MIDDLEWARE_NAME, override: true, tags: ["AWSCREDS", "CREDENTIALS"] });
  });

  it("leaves a client without a middleware stack as it is", () => {
    const client = { config: {} };
    expect(installRejectionRecovery(client as never)).toBe(client);
  });

  it("passes errors that are not rejections through untouched, without invalidating", async () => {
    const t = target(true);
    const boom = new Error("throttled");
    await expect(fakeClient(t).run(() => Promise.reject(boom))).rejects.toBe(boom);
    expect(t.invalidate).not.toHaveBeenCalled();
    expect(boom.message).toBe("throttled");
  });

  it("passes a rejection through untouched when the credentials provider cannot be invalidated", async () => {
    const error = expired();
    await expect(fakeClient(() => Promise.resolve({})).run(() => Promise.reject(error))).rejects.toBe(error);
    expect(error).not.toHaveProperty("awscredsRejection");
  });

  it("when no new credentials can be used, explains with the masked signing key and the measured offset", async () => {
    const t = target(false);
    const error = expired();
    await expect(fakeClient(t, 4000).run(() => Promise.reject(error))).rejects.toBe(error);
    expect(t.invalidate).toHaveBeenCalledWith(KEY, { code: "ExpiredToken", clockOffsetMs: 4000 });
    expect((error as { awscredsRejection?: unknown }).awscredsRejection).toEqual({ code: "ExpiredToken", accessKeyId: maskAccessKeyId(KEY), retried: false, clockOffsetMs: 4000 });
  });

  it("without a signing key in the context, the explanation names no key", async () => {
    const error = expired();
    await expect(fakeClient(target(false)).run(() => Promise.reject(error), {})).rejects.toBe(error);
    expect((error as { awscredsRejection?: { accessKeyId?: string } }).awscredsRejection?.accessKeyId).toBeUndefined();
  });

  it("retries once after a replacement; a second rejection is recorded and explained as retried", async () => {
    const t = target(true);
    const second = Object.assign(new Error("bad"), { name: "InvalidClientTokenId" });
    const next = vi.fn().mockRejectedValueOnce(expired()).mockRejectedValueOnce(second);
    await expect(fakeClient(t, -2000).run(next)).rejects.toBe(second);
    expect(next).toHaveBeenCalledTimes(2);
    expect(t.invalidate).toHaveBeenCalledTimes(2);
    expect(t.invalidate).toHaveBeenLastCalledWith(KEY, { code: "InvalidClientTokenId", clockOffsetMs: -2000 });
    expect((second as { awscredsRejection?: unknown }).awscredsRejection).toEqual({ code: "InvalidClientTokenId", accessKeyId: maskAccessKeyId(KEY), retried: true, clockOffsetMs: -2000 });
  });

  it("a second rejection without a signing key names no key", async () => {
    const second = expired();
    const next = vi.fn().mockRejectedValueOnce(expired()).mockRejectedValueOnce(second);
    await expect(fakeClient(target(true)).run(next, {})).rejects.toBe(second);
    expect((second as { awscredsRejection?: { accessKeyId?: string } }).awscredsRejection?.accessKeyId).toBeUndefined();
  });

  it("a retry failing for another reason throws that error untouched", async () => {
    const t = target(true);
    const other = new Error("throttled");
    const next = vi.fn().mockRejectedValueOnce(expired()).mockRejectedValueOnce(other);
    await expect(fakeClient(t).run(next)).rejects.toBe(other);
    expect(t.invalidate).toHaveBeenCalledTimes(1);
    expect(other).not.toHaveProperty("awscredsRejection");
  });

  it("tells the provider a measured clock offset once per change, and ignores a non-finite one", async () => {
    const t = target(true);
    const { client, run } = fakeClient(t, 3000);
    await run(async () => "ok");
    await run(async () => "ok");
    expect(t[CLOCK_OFFSET]).toHaveBeenCalledTimes(1);
    expect(t[CLOCK_OFFSET]).toHaveBeenCalledWith(3000);
    client.config.systemClockOffset = Number.NaN;
    await run(async () => "ok");
    expect(t[CLOCK_OFFSET]).toHaveBeenLastCalledWith(0);
  });

  it("a provider without a clock-offset hook does not break requests", async () => {
    await expect(fakeClient({ invalidate: async () => ({ replaced: true, fetched: true }) }, 3000).run(async () => "ok")).resolves.toBe("ok");
  });
});

describe("attachProvider", () => {
  it("refuses a function even with a config object", () => {
    expect(() => attachProvider(Object.assign(() => undefined, { config: {} }) as never, () => undefined, "p")).toThrow(TypeError);
  });

  it("re-points a client whose middleware stack has no add()", () => {
    const provider = (): undefined => undefined;
    const client = { config: {} as Record<string, unknown>, middlewareStack: {} };
    attachProvider(client as never, provider, "p");
    expect(client.config.credentials).toBe(provider);
  });
});

describe("signedAccessKeyId", () => {
  it("reads the signing identity's key, and nothing else", () => {
    expect(signedAccessKeyId(contextSigning(KEY) as never)).toBe(KEY);
    expect(signedAccessKeyId(contextSigning(42) as never)).toBeUndefined();
    expect(signedAccessKeyId({} as never)).toBeUndefined();
    expect(signedAccessKeyId({ __smithy_context: {} } as never)).toBeUndefined();
    expect(signedAccessKeyId({ __smithy_context: { selectedHttpAuthScheme: {} } } as never)).toBeUndefined();
  });
});

describe("explainRejection", () => {
  const facts = { code: "ExpiredToken", accessKeyId: undefined, retried: false, clockOffsetMs: 0 };
  const explain = (error: unknown, f: Partial<typeof facts> = {}, result?: { replaced: boolean; fetched: boolean; reason?: string }) =>
    (explainRejection(error, { ...facts, ...f }, result) as { message: unknown }).message as string;

  it("leaves non-objects as they are", () => {
    expect(explainRejection("text", facts, undefined)).toBe("text");
    expect(explainRejection(null, facts, undefined)).toBeNull();
  });

  it("appends to the message, or replaces an empty or missing one", () => {
    expect(explain(new Error("orig"))).toMatch(/^orig \(awscreds: AWS rejected the credentials {2}\(ExpiredToken\); no new credentials could be used \(the provider could not replace them\); the client measured no clock offset against AWS\. /);
    expect(explain(new Error(""))).toMatch(/^awscreds: /);
    expect(explain({ message: 5 })).toMatch(/^awscreds: /);
  });

  it("says which way the clock is off, and the provider's reason", () => {
    expect(explain(new Error("x"), { clockOffsetMs: 1500 }, { replaced: false, fetched: false, reason: "why" })).toContain("(why); the client measured this host's clock 1500 ms behind AWS's");
    expect(explain(new Error("x"), { clockOffsetMs: -1500 })).toContain("1500 ms ahead of AWS's");
  });

  it("explains an error once", () => {
    const error = new Error("x");
    explainRejection(error, facts, undefined);
    const once = error.message;
    explainRejection(error, { ...facts, code: "AuthFailure" }, undefined);
    expect(error.message).toBe(once);
  });
});

describe("rejectionTargetOf and forwardRejections", () => {
  it("finds invalidate() on functions and objects, nothing on other values", () => {
    const obj = { invalidate: async () => ({ replaced: false, fetched: false }) };
    expect(rejectionTargetOf(obj)).toBe(obj);
    expect(rejectionTargetOf({})).toBeUndefined();
    expect(rejectionTargetOf(undefined)).toBeUndefined();
    expect(rejectionTargetOf(null)).toBeUndefined();
  });

  it("forwards to the live inner provider, or answers that it cannot be invalidated", async () => {
    let inner: unknown = () => undefined;
    const view = forwardRejections(() => undefined, () => inner);
    await expect(view.invalidate(KEY, {})).resolves.toEqual({ replaced: false, fetched: false, reason: "the client's credentials provider cannot be invalidated" });
    expect(() => view[CLOCK_OFFSET]!(5)).not.toThrow();
    inner = Object.assign(() => undefined, { invalidate: async () => ({ replaced: true, fetched: true }) });
    expect(() => view[CLOCK_OFFSET]!(5)).not.toThrow();
    const t = target(true);
    inner = t;
    view[CLOCK_OFFSET]!(7);
    expect(t[CLOCK_OFFSET]).toHaveBeenCalledWith(7);
    await expect(view.invalidate(KEY, { code: "ExpiredToken" })).resolves.toMatchObject({ replaced: true });
    expect(t.invalidate).toHaveBeenCalledWith(KEY, { code: "ExpiredToken" });
  });
});

describe("credentialRejectionCode and describeError, odd inputs", () => {
  it("classifies null and a nameless coded error", () => {
    expect(credentialRejectionCode(null)).toBeUndefined();
    expect(credentialRejectionCode({ Code: "ExpiredToken" })).toBe("ExpiredToken");
  });

  it("describes an Error as name: message", () => {
    expect(describeError(new TypeError("boom"))).toBe("TypeError: boom");
  });
});
