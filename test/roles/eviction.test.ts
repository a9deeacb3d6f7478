/**
 * The role cache's eviction rules on a bare core (only what eviction.ts reads): the LRU touch at its
 * interval's edge, a new entry never evicted to make its own room, what an evicted or dropped entry keeps
 * (nothing), and a cache without telemetry evicting.
 */
import { describe, expect, it } from "vitest";
import type { RoleCacheCore } from "../../src/roles/core.js";
import { newEntry, type RoleEntry } from "../../src/roles/entry.js";
import { dropAll, evictEntry, insertEntry, LRU_TOUCH_MS, touch } from "../../src/roles/eviction.js";
import { toSafeCredentials } from "../../src/shared/safe-credentials.js";
import { parseRoleArn } from "../../src/sources/role-arn.js";

const role = parseRoleArn("arn:aws:iam::210987654321:role/saas")!;
const creds = toSafeCredentials({ accessKeyId: "ASIAX", secretAccessKey: "s", sessionToken: "t", expiration: new Date(3_600_000) });
const make = (key: string, patch: Partial<RoleEntry> = {}): RoleEntry => Object.assign(newEntry(key, { role, roleSessionName: "svc@t" }, 0), patch);
const held = (key: string) => make(key, { credentials: creds, resolved: Promise.resolve(creds), expiresAt: 3_600_000 });
/** No telemetry: `telemetry: false`, or no OpenTelemetry API installed. */
function bareCore(maxEntries: number, ...entries: RoleEntry[]): RoleCacheCore {
  const core = { entries: new Map<string, RoleEntry>(), settings: { maxEntries }, fetchDeps: { clampsLogged: new Set<string>() }, counters: { evictions: 0 }, telemetry: undefined };
  for (const e of entries) core.entries.set(e.key, e);
  return core as unknown as RoleCacheCore;
}

describe("eviction", () => {
  it("a call exactly LRU_TOUCH_MS after the last move moves the entry to the recent end", () => {
    const a = make("a");
    const core = bareCore(10, a, make("b"));
    touch(core, a, LRU_TOUCH_MS);
    expect([...core.entries.keys()]).toEqual(["b", "a"]);
  });

  it("every older entry fetching: the new one stays (over maxEntries for now), it is not evicted for its own room", () => {
    const busy = make("busy", { inFlight: Promise.resolve(creds) });
    const core = bareCore(1, busy);
    const added = make("new");
    insertEntry(core, added);
    expect([...core.entries.keys()]).toEqual(["busy", "new"]);
    expect(added.evicted).toBe(false);
  });

  it("an evicted entry is marked so (its provider brings it back), holds no credentials, and is counted, with no telemetry", () => {
    const old = held("old");
    const core = bareCore(1, old);
    insertEntry(core, make("new"));
    expect(old).toMatchObject({ evicted: true, credentials: undefined, resolved: undefined, expiresAt: undefined });
    expect([...core.entries.keys()]).toEqual(["new"]);
    expect(core.counters.evictions).toBe(1);
  });

  it("evicting a stale entry (its key now held by a newer one) leaves the newer one in place", () => {
    const current = held("k");
    const core = bareCore(10, current);
    evictEntry(core, make("k"));
    expect(core.entries.get("k")).toBe(current);
  });

  it("on stop, every entry is dropped: marked evicted (a fetch ending later writes nothing into it), no credentials kept", () => {
    const a = held("a");
    const b = held("b");
    const core = bareCore(10, a, b);
    dropAll(core);
    for (const e of [a, b]) expect(e).toMatchObject({ evicted: true, credentials: undefined, resolved: undefined });
    expect(core.entries.size).toBe(0);
    expect(core.counters.evictions).toBe(0);
  });
});
