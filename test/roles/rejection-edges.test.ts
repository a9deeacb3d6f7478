/**
 * A cached role's side of "AWS rejected these credentials" (rejection.ts), as a pure rule on an entry: which
 * rejection withdraws and fetches, which joins the fetch running, which is held back by the rate limit (and
 * at its exact edge), and what the result, the entry and `lastRejection` say. The fetch is a stand-in the
 * test settles; time is a number.
 */
import { describe, expect, it, vi } from "vitest";
import { newEntry, type RoleEntry } from "../../src/roles/entry.js";
import { invalidateEntry, lastRejection, type EntryRejectionDeps } from "../../src/roles/rejection.js";
import { toSafeCredentials, type SafeCredentials } from "../../src/shared/safe-credentials.js";
import { parseRoleArn } from "../../src/sources/role-arn.js";
import { recordingLogger } from "./support.js";

const ROLE = "arn:aws:iam::210987654321:role/saas";
const INTERVAL = 30_000;
const HELD = "ASIAHELD0000000001";
const NEW = "ASIANEW00000000002";

const creds = (accessKeyId: string, expiresAt = 3_600_000): SafeCredentials =>
  toSafeCredentials({ accessKeyId, secretAccessKey: "s", sessionToken: "t", expiration: new Date(expiresAt) });

function entryHolding(accessKeyId: string | undefined, patch: Partial<RoleEntry> = {}): RoleEntry {
  const entry = newEntry("k", { role: parseRoleArn(ROLE)!, roleSessionName: "svc@t" }, 0);
  if (accessKeyId !== undefined) Object.assign(entry, { credentials: creds(accessKeyId), expiresAt: 3_600_000 });
  return Object.assign(entry, patch);
}

/** Deps at time `clock.now`; the fetch answers `answer` (credentials, or a failure). */
function deps(clock: { now: number }, answer: () => Promise<SafeCredentials> = async () => creds(NEW)) {
  const logger = recordingLogger();
  const offsets: number[] = [];
  const fetch = vi.fn((_entry: RoleEntry) => answer());
  const d: EntryRejectionDeps = { now: () => clock.now, offsetMs: () => 0, noteClockOffset: (ms) => void offsets.push(ms), intervalMs: INTERVAL, logger, fetch };
  return { d, logger, offsets, fetch };
}

describe("invalidateEntry: the credentials held are rejected", () => {
  it("withdraws them and fetches once; the entry reports rejected (time, code), and lastRejection names the masked key", async () => {
    const clock = { now: 1_000 };
    const { d, fetch, logger } = deps(clock);
    const entry = entryHolding(HELD);

    await expect(invalidateEntry(entry, HELD, { code: "ExpiredToken" }, d)).resolves.toEqual({ replaced: true, fetched: true });
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(entry.rejected).toEqual({ at: 1_000, code: "ExpiredToken" });
    expect(entry.credentials).toBeUndefined();
    expect(lastRejection(entry)).toEqual({ at: new Date(1_000), code: "ExpiredToken", accessKeyId: "ASIA…0001" });
    expect(logger.lines).toEqual([`awscreds: AWS rejected credentials ASIA…0001 (ExpiredToken) of ${ROLE} before their expiry; withdrawn, assuming the role again`]);
  });

  it("without a code, the log names the key alone", async () => {
    const { d, logger } = deps({ now: 1_000 });
    await invalidateEntry(entryHolding(HELD), HELD, {}, d);
    expect(logger.lines).toEqual([`awscreds: AWS rejected credentials ASIA…0001 of ${ROLE} before their expiry; withdrawn, assuming the role again`]);
  });

  it("takes the clock offset the rejecting client measured, and none when it measured none", async () => {
    const withOffset = deps({ now: 1_000 });
    await invalidateEntry(entryHolding(HELD), HELD, { code: "ExpiredToken", clockOffsetMs: 600_000 }, withOffset.d);
    expect(withOffset.offsets).toEqual([600_000]);

    const without = deps({ now: 1_000 });
    await invalidateEntry(entryHolding(HELD), HELD, { code: "ExpiredToken" }, without.d);
    expect(without.offsets).toEqual([]);
  });

  it("STS answering the same key: not replaced, and the result says so", async () => {
    const { d } = deps({ now: 1_000 }, async () => creds(HELD));
    await expect(invalidateEntry(entryHolding(HELD), undefined, { code: "ExpiredToken" }, d)).resolves.toEqual({
      replaced: false,
      fetched: true,
      reason: "STS returned the same credentials",
    });
  });

  it("the fetch failing: not replaced, with AssumeRole's error", async () => {
    const { d } = deps({ now: 1_000 }, async () => Promise.reject(new Error("STS is down")));
    await expect(invalidateEntry(entryHolding(HELD), HELD, { code: "ExpiredToken" }, d)).resolves.toEqual({
      replaced: false,
      fetched: true,
      reason: "AssumeRole failed: Error: STS is down",
    });
  });

  it("a fetch is running: withdrawn, and the rejection joins it instead of fetching (fetched: false)", async () => {
    const { d, fetch } = deps({ now: 1_000 });
    const entry = entryHolding(HELD, { inFlight: Promise.resolve(creds(NEW)) });
    await expect(invalidateEntry(entry, HELD, { code: "ExpiredToken" }, d)).resolves.toEqual({ replaced: true, fetched: false });
    expect(fetch).not.toHaveBeenCalled();
    expect(entry.credentials).toBeUndefined();
  });
});

describe("invalidateEntry: the rate limit on fetches driven by rejections", () => {
  /** A first rejection at 1 000 (it fetches NEW), then NEW held and rejected at `at`. */
  async function secondRejection(at: number, patch: Partial<RoleEntry> = {}) {
    const clock = { now: 1_000 };
    const { d, fetch, logger } = deps(clock);
    const entry = entryHolding(HELD);
    await invalidateEntry(entry, HELD, { code: "ExpiredToken" }, d);
    Object.assign(entry, { credentials: creds(NEW), expiresAt: 3_600_000, rejected: undefined }, patch);
    logger.lines.splice(0);
    clock.now = at;
    const result = await invalidateEntry(entry, NEW, { code: "InvalidClientTokenId" }, d);
    return { result, entry, fetch, logger };
  }

  it("within intervalMs: nothing fetched, the credentials stay, and the reason says until when", async () => {
    const { result, entry, fetch, logger } = await secondRejection(1_000 + INTERVAL - 1);
    const reason =
      `new credentials of ${ROLE} were fetched at ${new Date(1_000).toISOString()} after an earlier rejection, and AWS rejected ASIA…0002 (InvalidClientTokenId) as well; ` +
      `at most one such fetch per ${INTERVAL} ms (rejectionRefreshIntervalMs), so not before ${new Date(1_000 + INTERVAL).toISOString()}`;
    expect(result).toEqual({ replaced: false, fetched: false, reason });
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(entry.credentials?.accessKeyId).toBe(NEW);
    expect(entry.rejected).toEqual({ at: 1_000 + INTERVAL - 1, code: "InvalidClientTokenId" });
    expect(logger.lines).toEqual([`awscreds: AWS rejected credentials of ${ROLE}: ${reason}`]);
  });

  it("at exactly intervalMs after the last such fetch, and later: fetches again", async () => {
    for (const at of [1_000 + INTERVAL, 1_000 + 10 * INTERVAL]) {
      const { result, fetch } = await secondRejection(at);
      expect(result).toMatchObject({ fetched: true });
      expect(fetch).toHaveBeenCalledTimes(2);
    }
  });

  it("within intervalMs but a fetch is running: no rate-limit refusal, the rejection joins that fetch", async () => {
    const { result, fetch } = await secondRejection(1_000 + 1, { inFlight: Promise.resolve(creds("ASIAJOINED00000003")) });
    expect(result).toEqual({ replaced: true, fetched: false });
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});

describe("invalidateEntry: other credentials than the ones rejected", () => {
  it("newer valid credentials held: replaced, nothing fetched", async () => {
    const { d, fetch } = deps({ now: 1_000 });
    await expect(invalidateEntry(entryHolding(NEW), HELD, { code: "ExpiredToken" }, d)).resolves.toEqual({ replaced: true, fetched: false });
    expect(fetch).not.toHaveBeenCalled();
  });

  it("others held but expired, or none held: not replaced, and the result says nothing valid is held; lastRejection has no key when none was named", async () => {
    const { d, fetch } = deps({ now: 4_000_000 });
    const reason = `no valid credentials of ${ROLE} are held to replace them with`;
    await expect(invalidateEntry(entryHolding(NEW), HELD, { code: "ExpiredToken" }, d)).resolves.toEqual({ replaced: false, fetched: false, reason });

    const empty = entryHolding(undefined);
    await expect(invalidateEntry(empty, undefined, {}, d)).resolves.toEqual({ replaced: false, fetched: false, reason });
    expect(lastRejection(empty)).toEqual({ at: new Date(4_000_000), code: undefined, accessKeyId: undefined });
    expect(fetch).not.toHaveBeenCalled();
  });

  it("a fetch running: joined, never counted as this rejection's fetch", async () => {
    const { d } = deps({ now: 1_000 });
    const entry = entryHolding(NEW, { inFlight: Promise.resolve(creds("ASIAJOINED00000003")) });
    await expect(invalidateEntry(entry, HELD, {}, d)).resolves.toEqual({ replaced: true, fetched: false });
  });
});
