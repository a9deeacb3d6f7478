/**
 * What every part of one role cache shares: its entries, counters, rate budget, STS transport, scheduler
 * timer and clock. `createAssumeRoleCache` builds it once; serving a call (serve.ts), running a fetch
 * (fetch-lifecycle.ts), the refresh-ahead scheduler (scheduler.ts), eviction (eviction.ts) and the reports
 * (cache-report.ts) are functions over it, each deciding one thing.
 */
import { RefresherStoppedError } from "../refresh/errors.js";
import type { Logger } from "../shared/logger.js";
import type { StsBudgetLink } from "../shared/sts-budget.js";
import type { StsTransport } from "../sts/transport.js";
import type { credentialsTelemetry, roleCacheTelemetry } from "../telemetry/index.js";
import type { BudgetedFetchDeps } from "./budgeted-fetch.js";
import type { CachedRoleProvider } from "./cache-types.js";
import type { RoleEntry } from "./entry.js";
import type { OneTimer } from "./one-timer.js";
import type { ResolvedRoleCacheOptions } from "./options.js";
import type { ExpiryClock } from "./outcome.js";
import type { RoleCacheCounters } from "./status.js";

export const WHO = "createAssumeRoleCache";

/**
 * AWS's clock minus ours, as a client attached to any of the roles measured it: one host, one clock, so one
 * offset for the whole cache (a tenant's client measuring it protects every tenant). `known`: one was measured.
 */
export type CacheClock = ExpiryClock & { known: boolean };

export interface RoleCacheCore {
  readonly settings: ResolvedRoleCacheOptions;
  readonly logger: Logger;
  readonly transport: StsTransport;
  readonly budget: StsBudgetLink;
  /** Keyed by `roleCacheKey`, least recently used first (a Map keeps insertion order). */
  readonly entries: Map<string, RoleEntry>;
  readonly providers: WeakMap<RoleEntry, CachedRoleProvider>;
  readonly counters: RoleCacheCounters;
  readonly clock: CacheClock;
  readonly timer: OneTimer;
  readonly fetchDeps: BudgetedFetchDeps;
  readonly telemetry: ReturnType<typeof roleCacheTelemetry>;
  readonly refreshTelemetry: ReturnType<typeof credentialsTelemetry>;
  readonly now: () => number;
  stopped: boolean;
}

/** A clock offset measured by an attached client (a non-finite one is ignored). */
export function noteClockOffset(clock: CacheClock, offsetMs: number): void {
  if (!Number.isFinite(offsetMs)) return;
  clock.offsetMs = offsetMs;
  clock.known = true;
}

/** What a call on a stopped cache fails with (with the expiry of what the entry held, if anything). */
export function stoppedError(e?: RoleEntry): RefresherStoppedError {
  const held = e?.expiresAt === undefined ? undefined : new Date(e.expiresAt);
  return new RefresherStoppedError(`${WHO} (role cache)`, held);
}
