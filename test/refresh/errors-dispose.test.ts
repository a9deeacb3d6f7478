/**
 * The engine's small pure helpers, at their edges: error descriptions and summaries (non-Error values,
 * empty messages, secrets masked), the expired/stopped errors' wording boundaries, and `disposeProvider`
 * on values that are not providers, providers without a disposal method, sync and async disposals; and user
 * callbacks returning odd values (null, non-function `then`, rejecting thenables, throws).
 */
import { describe, expect, it, vi } from "vitest";
import { CredentialsExpiredError, RefresherStoppedError, describeError, summarizeError } from "../../src/refresh/errors.js";
import { disposeProvider } from "../../src/refresh/dispose.js";
import { createRefresher } from "../../src/refresh/refresher.js";
import { capturingLogger, makeCredentials } from "./helpers.js";

const secrets = { accessKeyId: "ASIAEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRET", sessionToken: "FwoGZXIvYXdzEXAMPLETOKEN" };
const leaky = () => new Error(`AccessDenied for ${secrets.secretAccessKey} / ${secrets.sessionToken}`);

describe("describeError / summarizeError", () => {
  it("describes an Error as `Name: message`, or its name alone when the message is empty", () => {
    expect(describeError(new TypeError("bad input"))).toBe("TypeError: bad input");
    expect(describeError(new RangeError(""))).toBe("RangeError");
  });

  it("describes a thrown non-Error by String(), and one that cannot be stringified as 'unknown error'", () => {
    expect(describeError("plain string")).toBe("plain string");
    expect(describeError(42)).toBe("42");
    const hostile = { toString: () => { throw new Error("no"); } };
    expect(describeError(hostile)).toBe("unknown error");
  });

  it("masks the given credentials' secret key and session token", () => {
    const text = describeError(leaky(), secrets);
    expect(text).not.toContain(secrets.secretAccessKey);
    expect(text).not.toContain(secrets.sessionToken);
    expect(text).toMatch(/^Error: AccessDenied for /);
  });

  it("summarizes an Error by its own name and (masked) message, anything else as an Error describing it", () => {
    expect(summarizeError(new TypeError("bad"))).toEqual({ name: "TypeError", message: "bad" });
    const summary = summarizeError(leaky(), secrets);
    expect(summary.name).toBe("Error");
    expect(summary.message).not.toContain(secrets.secretAccessKey);
    expect(summary.message).toMatch(/^AccessDenied for /);
    expect(summarizeError("refused")).toEqual({ name: "Error", message: "refused" });
  });
});

describe("CredentialsExpiredError / RefresherStoppedError", () => {
  it("redacts the cause it carries, and needs no secrets to be built", () => {
    const error = new CredentialsExpiredError(new Date(0), leaky(), secrets);
    expect(String((error.cause as Error).message)).not.toContain(secrets.secretAccessKey);
    expect(String((error.cause as Error).message)).not.toContain(secrets.sessionToken);
    expect(error.message).not.toContain(secrets.secretAccessKey);
    const plain = new CredentialsExpiredError(new Date(0), new Error("down"));
    expect(plain.message).toBe("credentials expired at 1970-01-01T00:00:00.000Z; last refresh error: Error: down");
    expect((plain.cause as Error).message).toBe("down");
  });

  it("says credentials expired from the expiry instant on, and valid before it", () => {
    const at = new Date(1_000_000);
    expect(new RefresherStoppedError("r", at, at.getTime()).message).toContain("its credentials expired at");
    expect(new RefresherStoppedError("r", at, at.getTime() - 1).message).toContain("its credentials are valid until");
    expect(new RefresherStoppedError("r", undefined).message).toBe("r was stopped; it no longer fetches credentials, create a new one");
  });
});

describe("disposeProvider", () => {
  it("ignores values that are not providers, without reporting anything", () => {
    const onError = vi.fn();
    for (const value of [null, undefined, 42, "provider", true]) disposeProvider(value, onError);
    expect(onError).not.toHaveBeenCalled();
  });

  it("drops a provider without a disposal method silently", () => {
    const onError = vi.fn();
    disposeProvider({}, onError);
    disposeProvider(() => Promise.resolve({ accessKeyId: "a", secretAccessKey: "b" }), onError);
    expect(onError).not.toHaveBeenCalled();
  });

  it("prefers [Symbol.dispose], then stop(), then [Symbol.asyncDispose]; a sync result is not treated as a promise", () => {
    const onError = vi.fn();
    const calls: string[] = [];
    const all = { [Symbol.dispose]: () => calls.push("dispose"), stop: () => calls.push("stop"), [Symbol.asyncDispose]: () => calls.push("async") };
    disposeProvider(all, onError);
    const stopOnly = Object.assign(() => undefined, { stop: () => void calls.push("stop"), [Symbol.asyncDispose]: () => calls.push("async") });
    disposeProvider(stopOnly, onError);
    disposeProvider({ [Symbol.asyncDispose]: () => void calls.push("async") }, onError);
    expect(calls).toEqual(["dispose", "stop", "async"]);
    expect(onError).not.toHaveBeenCalled();
  });

  it("reports a disposal that throws or rejects, and leaves no rejection unhandled", async () => {
    const onError = vi.fn();
    const thrown = new Error("sync boom");
    const rejected = new Error("async boom");
    disposeProvider({ stop: () => { throw thrown; } }, onError);
    disposeProvider({ [Symbol.asyncDispose]: () => Promise.reject(rejected) }, onError);
    await new Promise((resolve) => setImmediate(resolve));
    expect(onError.mock.calls).toEqual([[thrown], [rejected]]);
  });
});

describe("user callbacks returning odd values", () => {
  const cases: { what: string; value: () => unknown; logged: RegExp | undefined }[] = [
    { what: "undefined", value: () => undefined, logged: undefined },
    { what: "null", value: () => null, logged: undefined },
    { what: "an object whose then is not a function", value: () => ({ then: 1 }), logged: undefined },
    { what: "a rejected promise", value: () => Promise.reject(new Error("async boom")), logged: /onRefresh failed: Error: async boom/ },
    { what: "a rejecting thenable object", value: () => ({ then: (_: unknown, reject: (e: unknown) => void) => reject(new Error("thenable boom")) }), logged: /onRefresh failed: Error: thenable boom/ },
    {
      what: "a rejecting thenable function",
      value: () => Object.assign(() => undefined, { then: (_: unknown, reject: (e: unknown) => void) => reject(new Error("fn boom")) }),
      logged: /onRefresh failed: Error: fn boom/,
    },
    { what: "a throw", value: () => { throw new Error("sync boom"); }, logged: /onRefresh threw: Error: sync boom/ },
  ];
  for (const c of cases) {
    it(`onRefresh returning ${c.what}: the refresh succeeds, and only a failure is logged`, async () => {
      const logger = capturingLogger();
      const refresher = createRefresher(async () => makeCredentials(1, 3_600_000), { logger, onRefresh: () => c.value() as void });
      await refresher.ready;
      expect(await refresher()).toMatchObject({ accessKeyId: "ASIATEST00000001" });
      await new Promise((resolve) => setImmediate(resolve));
      const errors = logger.lines.filter((l) => l.level === "error").map((l) => l.text);
      if (c.logged === undefined) expect(errors).toEqual([]);
      else expect(errors).toEqual([expect.stringMatching(c.logged)]);
      refresher.stop();
    });
  }
});
