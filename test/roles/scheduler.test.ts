/**
 * The role cache's scheduler decides per tick (planTick, pure): idle entries are evicted (never one with a
 * fetch running), due ones refreshed, and it wakes next at the earliest time any other entry needs it.
 */
import { describe, expect, it } from "vitest";
import { newEntry, type RoleEntry } from "../../src/roles/entry.js";
import { planTick } from "../../src/roles/scheduler.js";
import { soonestExpiration } from "../../src/roles/cache-report.js";
import { toSafeCredentials } from "../../src/shared/safe-credentials.js";
import { parseRoleArn } from "../../src/sources/role-arn.js";

const role = parseRoleArn("arn:aws:iam::210987654321:role/saas")!;
const make = (key: string, patch: Partial<RoleEntry> = {}): RoleEntry => Object.assign(newEntry(key, { role, roleSessionName: "svc@t" }, 0), patch);
const creds = toSafeCredentials({ accessKeyId: "ASIAX", secretAccessKey: "s", sessionToken: "t", expiration: new Date(10_000) });
const inFlight = Promise.resolve(creds);
const IDLE = 60_000;

describe("planTick", () => {
  it("evicts the idle, refreshes the due, in the entries' order; wakes for the earliest of the others", () => {
    const idleOne = make("idle", { lastUsedAt: 0 });
    const due = make("due", { lastUsedAt: 50_000, credentials: creds, expiresAt: 70_000, nextRefreshAt: 55_000, usedSinceRefresh: true });
    const later = make("later", { lastUsedAt: 50_000, credentials: creds, expiresAt: 90_000, nextRefreshAt: 80_000, usedSinceRefresh: true });
    const sooner = make("sooner", { lastUsedAt: 50_000, credentials: creds, expiresAt: 90_000, nextRefreshAt: 70_000, usedSinceRefresh: true });
    const plan = planTick([idleOne, sooner, due, later], 60_000, IDLE);
    expect(plan.actions).toEqual([
      { entry: idleOne, action: "evict" },
      { entry: due, action: "refresh" },
    ]);
    expect(plan.next).toBe(70_000);
  });

  it("an idle entry with a fetch running is kept (its callers wait) and says when it is next due", () => {
    const busy = make("busy", { lastUsedAt: 0, inFlight, usedSinceRefresh: false });
    const plan = planTick([busy], 60_000, IDLE);
    expect(plan.actions).toEqual([]);
    expect(plan.next).toBe(60_000); // its idle time: already past, so the timer's minimum gap applies
  });

  it("an entry unused since its fetch is not refreshed; it wakes the scheduler only to be evicted", () => {
    const unused = make("unused", { lastUsedAt: 10_000, credentials: creds, expiresAt: 20_000, nextRefreshAt: 15_000, usedSinceRefresh: false });
    const plan = planTick([unused], 16_000, IDLE);
    expect(plan.actions).toEqual([]);
    expect(plan.next).toBe(70_000);
  });

  it("nothing held: nothing to do, no wake-up", () => {
    expect(planTick([], 0, IDLE)).toEqual({ actions: [], next: Infinity });
  });
});

describe("soonestExpiration (the expiry telemetry reports)", () => {
  it("the soonest among entries in use that hold credentials; none: undefined", () => {
    const held = (key: string, expiresAt: number, patch: Partial<RoleEntry> = {}): [string, RoleEntry] => [key, make(key, { credentials: creds, expiresAt, usedSinceRefresh: true, ...patch })];
    const entries = new Map([held("a", 30_000), held("b", 20_000), held("unused", 5_000, { usedSinceRefresh: false }), held("dropped", 6_000, { credentials: undefined })]);
    expect(soonestExpiration(entries)).toEqual(new Date(20_000));
    expect(soonestExpiration(new Map([held("never", 0, { expiresAt: undefined })]))).toBeUndefined();
    expect(soonestExpiration(new Map())).toBeUndefined();
  });
});
