/**
 * Leaks past the redaction of known secrets (DESIGN "Edges of the contract": every error that leaves the
 * library is the redacted copy). Two holes, attacked through the public API:
 * - a `cause` (or field) that is a plain object — a raw response, a config — whose values we cannot
 *   know: it is described (its kind and field names), never serialised, whatever key holds the secret;
 * - a secret we were never told about (a key or token quoted by someone else's error): anything shaped
 *   like an AWS secret access key, an STS session token or a web identity token is masked in every
 *   surfaced text — messages, causes, logged lines, `status()`.
 */
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAssumeRoleCache, fromRegionalAssumeRole } from "../../src/index.js";
import { consume } from "../../src/sqs/index.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { fakeClient } from "../sqs/support.js";
import { everythingThatLeaves } from "./every-face.js";
import { SECRET_MARK, capturingLogger, seededRandom, useFakeClockAndCatchUnhandled } from "./helpers.js";

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

/** Secrets nobody told the library about, shaped like the real ones (seeded random: no fixed string to match). */
const random = seededRandom(24);
const base64 = (length: number, alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"): string =>
  Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
const unknownSecretKey = (): string => base64(40); // as AWS issues them
const unknownSessionToken = (): string => `IQoJb3JpZ2luX2VjE${base64(540)}==`; // STS session tokens run to hundreds of characters
const unknownWebIdentityToken = (): string => {
  const url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  return `eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.${base64(240, url)}.${base64(342, url)}`;
};

/** A raw reply, as a library below the source might hang it off its error: the secret under keys of any name. */
function rawReply(): Record<string, unknown> {
  return {
    statusCode: 200,
    headers: { "x-amzn-requestid": "req-1", authorization: `${SECRET_MARK}-authorization` },
    body: `{"Credentials":{"SecretAccessKey":"${SECRET_MARK}-new-secret"}}`,
    whatever: `${SECRET_MARK}-under-any-key`,
    nested: { deeper: [{ password: `${SECRET_MARK}-nested` }] },
  };
}

function expectNone(value: unknown, marks: readonly string[]): void {
  const printed = inspect(value, { showHidden: true, depth: Infinity, getters: true });
  let json = "";
  try {
    json = JSON.stringify(value) ?? "";
  } catch {
    // Cyclic: inspect covered it.
  }
  for (const mark of marks) {
    expect(printed).not.toContain(mark);
    expect(json).not.toContain(mark);
  }
}

describe("refresher and swapper: ready, callers, refresh(), onRefreshError, logs and status()", () => {
  useFakeClockAndCatchUnhandled(T0);

  for (const face of ["refresher", "swapper"] as const) {
    it(`${face}: an Error whose cause is a raw object holding a secret under any key — the object is described, not serialised`, async () => {
      const { seen, lines, status } = await everythingThatLeaves(face, () => new Error("signing failed", { cause: rawReply() }));
      expect(seen.length).toBeGreaterThanOrEqual(6);
      for (const error of seen) {
        expect(error).toBeInstanceOf(Error);
        expectNone(error, [SECRET_MARK]);
      }
      // What is left says what the cause was and that its values are withheld.
      const cause = (seen[1] as Error).cause as Error;
      expect(cause).toBeInstanceOf(Error);
      expect(cause.message).toMatch(/Object with fields statusCode, headers, body, whatever, nested/);
      expect(cause.message).toMatch(/values withheld/);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line).not.toContain(SECRET_MARK);
      expectNone(status, [SECRET_MARK]);
    });

    it(`${face}: a thrown raw object (not an Error) is described, not serialised`, async () => {
      const { seen, lines, status } = await everythingThatLeaves(face, () => rawReply());
      for (const error of seen) {
        expect(error).toBeInstanceOf(Error);
        expectNone(error, [SECRET_MARK]);
      }
      expect((seen[0] as Error).message).toMatch(/Object with fields statusCode, headers, body, whatever, nested/);
      for (const line of lines) expect(line).not.toContain(SECRET_MARK);
      expectNone(status, [SECRET_MARK]);
    });

    it(`${face}: an Error carrying a raw object in a field of any name — the field is dropped`, async () => {
      const { seen, status } = await everythingThatLeaves(face, () => Object.assign(new Error("request failed", { cause: new Error("socket") }), { reply: rawReply() }));
      for (const error of seen) expectNone(error, [SECRET_MARK]);
      expectNone(status, [SECRET_MARK]);
    });

    it(`${face}: secrets nobody named — shaped like a secret access key, a session token, a web identity token — are masked everywhere`, async () => {
      const key = unknownSecretKey();
      const token = unknownSessionToken();
      const jwt = unknownWebIdentityToken();
      const { seen, lines, status } = await everythingThatLeaves(face, () =>
        Object.assign(new Error(`signature mismatch for key ${key} (token ${token})`, { cause: new Error(`upstream said: secret=${key}&token=${token}; id token ${jwt}`) }), {
          detail: `retry with ${key}`,
        }),
      );
      for (const error of seen) expectNone(error, [key, token, jwt, token.slice(20, 120)]);
      expect((seen[1] as Error).message).toContain("signature mismatch for key [redacted]");
      for (const line of lines) {
        for (const mark of [key, token, jwt]) expect(line).not.toContain(mark);
      }
      expectNone(status, [key, token, jwt]);
    });
  }
});

describe("providers called directly (no refresher between them and the caller)", () => {
  let fake: FakeAws;
  const ROLE = "arn:aws:iam::210987654321:role/saas-access";
  beforeAll(async () => {
    fake = await startFakeAws();
    fake.sts.registerRole({ roleArn: ROLE, trustedPrincipals: ["123456789012"] });
  });
  afterAll(() => fake.close());

  it("fromRegionalAssumeRole: a source failing with a raw-object cause and an unnamed secret key — the rejection and the log carry neither", async () => {
    const key = unknownSecretKey();
    const logger = capturingLogger();
    const provider = fromRegionalAssumeRole({
      roleArn: ROLE,
      region: fake.region,
      endpoint: fake.sts.endpoint,
      logger,
      source: async () => {
        throw Object.assign(new Error(`could not sign with ${key}`, { cause: rawReply() }), { config: { secretAccessKey: `${SECRET_MARK}-config` } });
      },
    });
    const error = await provider().catch((e: unknown) => e);
    provider.destroy();
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/source credentials that sign AssumeRole could not be resolved: could not sign with \[redacted\]/);
    expectNone(error, [SECRET_MARK, key]);
    for (const line of logger.lines) {
      expect(line.text).not.toContain(SECRET_MARK);
      expect(line.text).not.toContain(key);
    }
  });

  it("fromRegionalAssumeRole: a source error that is clean but for a raw object in a field of any name — the cause drops the field", async () => {
    const provider = fromRegionalAssumeRole({
      roleArn: ROLE,
      region: fake.region,
      endpoint: fake.sts.endpoint,
      source: async () => {
        throw Object.assign(new Error("could not sign"), { code: "ESIGN", request: { headers: { "x-amz-security-token": `${SECRET_MARK}-token` } } });
      },
    });
    const error = await provider().catch((e: unknown) => e);
    provider.destroy();
    expectNone(error, [SECRET_MARK]);
    // What callers classify by is kept.
    expect(((error as Error).cause as { code?: string }).code).toBe("ESIGN");
  });

  it("createAssumeRoleCache: the same source failure reaches the caller, the log and status() without either", async () => {
    const key = unknownSecretKey();
    const logger = capturingLogger();
    const cache = createAssumeRoleCache({
      region: fake.region,
      endpoint: fake.sts.endpoint,
      logger,
      source: async () => {
        throw new Error(`could not sign with ${key}`, { cause: rawReply() });
      },
    });
    const error = await cache.provider({ roleArn: ROLE })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expectNone(error, [SECRET_MARK, key]);
    expectNone(cache.status(), [SECRET_MARK, key]);
    for (const line of logger.lines) {
      expect(line.text).not.toContain(SECRET_MARK);
      expect(line.text).not.toContain(key);
    }
    cache.stop();
  });
});

describe("consume's logged lines", () => {
  it("a failed ReceiveMessage whose error quotes an unnamed secret key and session token: the warning masks both", async () => {
    const fake = await startFakeAws();
    const key = unknownSecretKey();
    const token = unknownSessionToken();
    const logger = capturingLogger();
    const pollingClient = fakeClient(fake);
    let failed = 0;
    pollingClient.middlewareStack.add(
      (next) => async (args) => {
        if (failed === 0) {
          failed += 1;
          throw Object.assign(new Error(`proxy refused the request signed with ${key} and token ${token}`), { name: "ProxyError" });
        }
        return next(args);
      },
      { step: "initialize", name: "failOnce" },
    );
    const client = fakeClient(fake);
    const consumer = consume({ client, pollingClient, queueUrl: fake.sqs.createQueue("leaks"), WaitTimeSeconds: 0, logger, backoff: { initialDelayMs: 1, maxDelayMs: 1 }, handler: () => undefined });
    try {
      const deadline = Date.now() + 10_000;
      while (consumer.counters.receiveErrors === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(consumer.counters.receiveErrors).toBe(1);
    } finally {
      await consumer.stop();
      client.destroy();
      pollingClient.destroy();
      await fake.close();
    }
    const warning = logger.lines.find((l) => l.text.includes("ReceiveMessage failed"));
    expect(warning?.text).toContain("ProxyError: proxy refused the request signed with [redacted] and token [redacted]");
    for (const line of logger.lines) {
      expect(line.text).not.toContain(key);
      expect(line.text).not.toContain(token.slice(0, 60));
    }
  });
});
