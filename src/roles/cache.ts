/**
 * `createAssumeRoleCache`: many roles (one per tenant) on one STS transport, one scheduler and one rate
 * budget. The decisions are pure functions (`entry.ts`, `token-bucket.ts`, `negative.ts`, `outcome.ts`); a
 * fetch is `budgeted-fetch.ts`; this file is the shell that holds the entries, the scheduler and the counters.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { RefresherStoppedError } from "../refresh/errors.js";
import { markForSdk, type SdkProviderMarks } from "../shared/sdk-marking.js";
import { silentLogger } from "../shared/logger.js";
import type { SafeCredentials } from "../shared/safe-credentials.js";
import { resolveAssumeRoleRequest, resolveAssumeRoleTransport } from "../sources/assume-role-config.js";
import { describeAssumeRole, failoverDescription } from "../sources/assume-role-describe.js";
import type { AssumeRoleDescription } from "../sources/assume-role-options.js";
import { resolveEnv } from "../shared/env.js";
import { parseRoleArn } from "../sources/role-arn.js";
import { attributedSessionName } from "../sources/session-name.js";
import { DEFAULT_RETRY_POLICY } from "../sts/retry.js";
import type { StsEndpointStatus } from "../sts/failover.js";
import { createStsTransport } from "../sts/transport.js";
import { fetchThroughBudget, type BudgetedFetchDeps } from "./budgeted-fetch.js";
import { hasValidCredentials, idle, newEntry, nextWake, refreshDue, serveDecision, type RoleEntry, type RoleEntryState } from "./entry.js";
import { roleCacheKey } from "./key.js";
import { OneTimer } from "./one-timer.js";
import { resolveRoleCacheOptions, type AssumeRoleCacheOptions, type CachedRoleSpec } from "./options.js";
import { recordFailure, recordSuccess, type ExpiryClock } from "./outcome.js";
import type { StsBudgetLink } from "../sts/sts-budget.js";
import { RateBudget, type Priority } from "./rate-budget.js";
import { entryStatus, type AssumeRoleCacheStatus, type RoleCacheCounters } from "./status.js";
import { credentialsTelemetry, roleCacheTelemetry, withRefreshTelemetry } from "../telemetry/index.js";
import { attachProvider, type AttachableClient } from "../refresh/rejection-middleware.js";
import { CLOCK_OFFSET, type CredentialRejection, type InvalidationResult, type RejectionTargetWithClock } from "../refresh/rejection-target.js";
import { invalidateEntry, lastRejection, type EntryRejectionDeps, type RoleRejection } from "./rejection.js";

/** A cached role's provider: hand it to any SDK v3 client as `credentials`. */
export type CachedRoleProvider = AwsCredentialIdentityProvider &
  SdkProviderMarks & {
    /** The role, the session parameters, the entry's state and its last rejection by AWS, without secrets. */
    describe(): AssumeRoleDescription & { state: RoleEntryState; lastRejection?: RoleRejection };
    /**
     * AWS rejected `accessKeyId` (default: this role's credentials held): they are never handed out again;
     * unless newer ones are held, one AssumeRole runs, shared by every caller (at most one per
     * `rejectionRefreshIntervalMs`). Never rejects. See `RefreshingProvider.invalidate`.
     */
    invalidate(accessKeyId?: string, rejection?: CredentialRejection): Promise<InvalidationResult>;
    /**
     * Wires a v3 client to this role (`client.config.credentials = provider`) with the recovery from
     * rejected credentials: a request rejected for them is sent again once with new ones. Returns the client.
     *
     * @example
     * ```ts
     * const s3 = roles.provider({ roleArn, externalId }).attach(new S3Client({ region }));
     * ```
     */
    attach<C extends AttachableClient>(client: C): C;
  };

/** What `describe()` of a cache shows: its settings. */
export interface AssumeRoleCacheDescription {
  region: string;
  /** The STS endpoint in use (the primary's, or the failover endpoint that answered last). */
  endpoint?: string;
  /** Failover regions, in order (empty: no failover). */
  failoverRegions: string[];
  /** Whether a failover region is serving the calls now. */
  failedOver: boolean;
  /** Each regional endpoint (primary first) and the state of its circuit breaker. */
  endpoints: StsEndpointStatus[];
  serviceName: string;
  maxEntries: number;
  idleTtlMs: number;
  negativeTtlMs: number;
  stsRequestsPerSecond: number;
  stsBurst: number;
}

export interface AssumeRoleCache {
  /**
   * The provider of one role. The same role spec (same key: role ARN, ExternalId, session name, duration,
   * policy, tags, source identity) gives the same provider object while its entry lives. Throws at once
   * (RangeError naming STS's limit) when the spec is invalid.
   */
  provider(role: CachedRoleSpec): CachedRoleProvider;
  /** Counters, the rate budget and (unless `{ entries: false }`) each entry's state. No secrets. */
  status(options?: { entries?: boolean }): AssumeRoleCacheStatus;
  describe(): AssumeRoleCacheDescription;
  /**
   * Forgets the credentials, cached refusal and backoff of one role (or of all): the next call asks STS.
   * Returns whether an entry was found.
   */
  invalidate(role?: CachedRoleSpec): boolean;
  /** Stops the scheduler, drops every entry, closes the STS client; later calls fail with `RefresherStoppedError`. */
  stop(): void;
  [Symbol.dispose](): void;
}

const WHO = "createAssumeRoleCache";
/** Hits closer together than this do not move an entry in the LRU order (saves a Map delete/set per call). */
const LRU_TOUCH_MS = 1_000;

/**
 * Serves temporary credentials for many roles, typically one per tenant of a SaaS service (cross-account,
 * with an ExternalId each):
 * - the same provider object for the same role, and one AssumeRole however many callers ask at once;
 * - roles in use are refreshed ahead of expiry (the refresher's jittered schedule) by one scheduler for
 *   the whole cache, never a timer per entry; idle ones are evicted, and the least recently used past
 *   `maxEntries`;
 * - every STS call waits for one token bucket (`stsRequestsPerSecond`), callers without credentials ahead
 *   of background refreshes; `Throttling` halves the rate and pauses, then the rate grows back;
 * - while a role's refresh fails, its callers keep the valid credentials (stale-while-failing);
 * - AccessDenied (how STS answers a wrong ExternalId too), ValidationError and policy errors are cached for
 *   `negativeTtlMs` with an explanation of what to check, so a broken tenant cannot burn the budget;
 * - with `failoverRegions` (or `AWSCREDS_STS_FAILOVER_REGIONS`), calls move to another region's STS while
 *   the primary's fails with retryable errors; `status().sts` shows where they go and each breaker;
 * - with `@opentelemetry/api` installed, size, lookups by result, evictions, the entries' fetches and their
 *   STS requests are reported under the cache's `name` (`telemetry: false` turns it off).
 *
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { createAssumeRoleCache, createRefresher, fromEnvGatedChain } from "awscreds";
 *
 * const roles = createAssumeRoleCache({ source: createRefresher(fromEnvGatedChain()), serviceName: "billing-api", name: "tenant-roles" });
 * const s3ForTenant = (t: { roleArn: string; externalId: string; id: string }) =>
 *   new S3Client({ credentials: roles.provider({ roleArn: t.roleArn, externalId: t.externalId, tenant: t.id }) });
 * ```
 */
export function createAssumeRoleCache(options: AssumeRoleCacheOptions): AssumeRoleCache {
  const env = resolveEnv(options.env);
  const settings = resolveRoleCacheOptions(options, env);
  const logger = options.logger ?? silentLogger;
  const transport = createStsTransport({ ...resolveAssumeRoleTransport(options, env, WHO), logger, label: "Assume role", telemetry: options.telemetry });
  const retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const random = settings.random;
  const now = (): number => Date.now();
  // One budget per cache, or this cache's link to a budget the whole fleet shares (awscreds/redis).
  const budget: StsBudgetLink = options.stsBudget?.open({ region: transport.region, logger, random, label: options.name ?? WHO }) ?? new RateBudget(settings.bucket, now, random);
  const entries = new Map<string, RoleEntry>();
  const providers = new WeakMap<RoleEntry, CachedRoleProvider>();
  const counters: RoleCacheCounters = { hits: 0, misses: 0, coalesced: 0, negativeHits: 0, backoffHits: 0, evictions: 0, stsCalls: 0, throttled: 0, failures: 0 };
  let stopped = false;

  // Telemetry reads the cache's own state when a reader collects: a hit adds nothing to what it already does.
  const telemetryName = options.name ?? "awscreds role cache";
  const telemetry = roleCacheTelemetry(options.telemetry, telemetryName);
  telemetry?.observeSize(entries, (held) => held.size);
  telemetry?.observeRequests(counters, (c) => ({ hit: c.hits, miss: c.misses, coalesced: c.coalesced, negative: c.negativeHits + c.backoffHits }));
  telemetry?.observeBudget(budget, (b) => {
    const shared = b.status().shared;
    return shared && { shared: shared.mode === "shared", granted: shared.granted, waits: shared.waits, fallbacks: shared.fallbacks, fleetThrottles: shared.fleetThrottles };
  });
  // Every entry's fetches, as one provider (per role would be a series per tenant).
  const refreshTelemetry = credentialsTelemetry(options.telemetry, { provider: telemetryName, source: "assume-role" });
  refreshTelemetry?.observeExpiration(entries, soonestExpiration);

  const timer = new OneTimer(tick, now, 100);
  // AWS's clock minus ours, as a client attached to any of the roles measured it: one host, one clock, so
  // one offset for the whole cache (a tenant's client measuring it protects every tenant).
  const clock: ExpiryClock & { known: boolean } = { offsetMs: 0, mandatoryWindowMs: settings.mandatoryWindowMs, known: false };
  function noteClockOffset(offsetMs: number): void {
    if (!Number.isFinite(offsetMs)) return;
    clock.offsetMs = offsetMs;
    clock.known = true;
  }
  const rejectionDeps: EntryRejectionDeps = {
    now,
    offsetMs: () => clock.offsetMs,
    noteClockOffset,
    intervalMs: settings.rejectionRefreshIntervalMs,
    logger,
    fetch: (entry) => {
      entry.waiting = 1;
      return start(entry, "demand", "rejected");
    },
  };

  function stoppedError(e?: RoleEntry): RefresherStoppedError {
    const held = e?.expiresAt === undefined ? undefined : new Date(e.expiresAt);
    return new RefresherStoppedError(`${WHO} (role cache)`, held);
  }

  const fetchDeps: BudgetedFetchDeps = {
    transport,
    source: options.source,
    budget,
    retry,
    logger,
    counters,
    random,
    stopped: () => stopped,
    stoppedError: () => stoppedError(),
    clampsLogged: new Set<string>(),
    negativeTtlMs: settings.negativeTtlMs,
    throttleLog: { at: -Infinity },
  };

  function stored(entry: RoleEntry, credentials: SafeCredentials): void {
    recordSuccess(entry, credentials, now(), settings.schedule, random, clock);
    timer.arm(nextWake(entry, settings.idleTtlMs));
  }

  function failed(entry: RoleEntry, error: unknown): Error {
    counters.failures += 1;
    const outcome = recordFailure(entry, error, now(), { negativeTtlMs: settings.negativeTtlMs, backoff: settings.backoff, random, offsetMs: clock.offsetMs });
    if (outcome.negative) logger.warn(`awscreds: ${outcome.error.message}`);
    else if (outcome.serving) {
      logger.warn(
        `awscreds: refreshing ${entry.request.role.arn} failed; serving its credentials until ${new Date(entry.expiresAt ?? 0).toISOString()} ` +
          `and retrying at ${new Date(entry.retryAt ?? 0).toISOString()}: ${outcome.error.message}`,
      );
    }
    timer.arm(nextWake(entry, settings.idleTtlMs));
    return outcome.error;
  }

  function start(entry: RoleEntry, priority: Priority, reason: string = priority === "demand" ? "demand" : "scheduled"): Promise<SafeCredentials> {
    const generation = entry.generation;
    const current = (entry.inFlight = withRefreshTelemetry(refreshTelemetry, reason, () => fetchThroughBudget(entry, priority, fetchDeps))
      .then(
        (credentials) => {
          if (generation === entry.generation && !entry.evicted) stored(entry, credentials);
          return credentials;
        },
        (error: unknown) => {
          if (generation !== entry.generation || entry.evicted || stopped) throw error;
          throw failed(entry, error);
        },
      )
      .finally(() => {
        if (entry.inFlight === current) {
          entry.inFlight = undefined;
          entry.waiting = 0;
        }
      }));
    return current;
  }

  /** The scheduler's tick: refresh what is due and in use, evict what is idle, sleep until the next thing. */
  function tick(): void {
    if (stopped) return;
    const t = now();
    let next = Infinity;
    for (const entry of entries.values()) {
      if (idle(entry, t, settings.idleTtlMs)) {
        evict(entry);
        continue;
      }
      if (refreshDue(entry, t)) {
        start(entry, "background").catch(() => undefined); // Recorded on the entry; callers keep valid credentials.
        continue;
      }
      next = Math.min(next, nextWake(entry, settings.idleTtlMs));
    }
    timer.arm(next);
  }

  function evict(entry: RoleEntry): void {
    if (entries.get(entry.key) === entry) entries.delete(entry.key);
    fetchDeps.clampsLogged.delete(entry.key);
    entry.evicted = true;
    entry.credentials = undefined;
    entry.resolved = undefined;
    entry.expiresAt = undefined;
    entry.freshUntil = undefined;
    counters.evictions += 1;
    telemetry?.evicted();
  }

  function insert(entry: RoleEntry): void {
    entries.set(entry.key, entry);
    if (entries.size <= settings.maxEntries) return;
    for (const oldest of entries.values()) {
      if (entries.size <= settings.maxEntries) break;
      if (oldest !== entry && oldest.inFlight === undefined) evict(oldest);
    }
  }

  /** The slow paths of a call: anything but a hit. */
  function serveSlow(entry: RoleEntry, t: number): Promise<AwsCredentialIdentity> {
    if (stopped) return Promise.reject(stoppedError(entry));
    if (entry.evicted) {
      const current = entries.get(entry.key);
      if (current !== undefined && current !== entry) return providers.get(current)!();
      // An evicted role asked for again: back in, as new.
      Object.assign(entry, newEntry(entry.key, entry.request, t), { generation: entry.generation + 1 });
      insert(entry);
    }
    switch (serveDecision(entry, t, clock.offsetMs)) {
      case "hit":
        counters.hits += 1;
        return entry.resolved!;
      case "negative":
        counters.negativeHits += 1;
        return Promise.reject(entry.lastError!);
      case "coalesced":
        counters.coalesced += 1;
        entry.waiting += 1;
        // A queued background refresh of expired credentials now has a caller: it goes as demand.
        budget.nudge();
        return heldIfFetchFails(entry, entry.inFlight!);
      case "backoff":
        counters.backoffHits += 1;
        return Promise.reject(entry.lastError!);
      case "miss":
        counters.misses += 1;
        entry.waiting = 1;
        return heldIfFetchFails(entry, start(entry, "demand"));
    }
  }

  /**
   * A caller inside the mandatory window waits for the fetch; if it fails, credentials AWS still accepts
   * are better than an error (as the refresher does).
   */
  function heldIfFetchFails(entry: RoleEntry, fetch: Promise<SafeCredentials>): Promise<AwsCredentialIdentity> {
    if (entry.credentials === undefined) return fetch;
    return fetch.catch((error: unknown) => {
      if (!entry.evicted && hasValidCredentials(entry, now(), clock.offsetMs)) return entry.credentials!;
      throw error;
    });
  }

  function makeProvider(entry: RoleEntry): CachedRoleProvider {
    // Not async: a hit hands out one already-settled promise per fetch (no promise built per call).
    const provider = markForSdk((): Promise<AwsCredentialIdentity> => {
      const t = Date.now();
      entry.lastUsedAt = t;
      if (entry.touchedAt + LRU_TOUCH_MS <= t && !entry.evicted) {
        entry.touchedAt = t;
        entries.delete(entry.key);
        entries.set(entry.key, entry);
      }
      if (!entry.usedSinceRefresh) {
        entry.usedSinceRefresh = true;
        if (entry.nextRefreshAt !== undefined) timer.arm(Math.max(entry.nextRefreshAt, entry.retryAt ?? 0));
      }
      const fresh = entry.freshUntil ?? entry.expiresAt;
      const hit = !stopped && !entry.evicted && entry.resolved !== undefined && (entry.negativeUntil === undefined || t >= entry.negativeUntil) && (fresh === undefined || t + clock.offsetMs < fresh);
      if (hit) {
        counters.hits += 1;
        return entry.resolved!;
      }
      return serveSlow(entry, t);
    }) as unknown as CachedRoleProvider;
    provider.describe = () => {
      const rejected = lastRejection(entry);
      return { ...describeAssumeRole(entry.request, transport, entry.roleChaining), state: entryStateOf(entry), ...(rejected ? { lastRejection: rejected } : {}) };
    };
    provider.invalidate = (accessKeyId, rejection = {}) => invalidateEntry(entry, accessKeyId, rejection, rejectionDeps);
    provider.attach = (client) => attachProvider(client, provider, `${WHO} (${entry.request.role.arn})`);
    // Not part of the public type (as on the refresher): an attached client hands its measured offset here.
    (provider as RejectionTargetWithClock)[CLOCK_OFFSET] = noteClockOffset;
    return provider;
  }

  const entryStateOf = (entry: RoleEntry): RoleEntryState => entryStatus(entry, now(), clock.offsetMs).state;

  function sessionNameFor(role: CachedRoleSpec): string {
    if (role.roleSessionName !== undefined) return role.roleSessionName;
    const tenant = role.tenant ?? parseRoleArn(role.roleArn)?.accountId ?? "tenant";
    return attributedSessionName(settings.serviceName, tenant);
  }

  function lookup(role: CachedRoleSpec): RoleEntry | undefined {
    if (typeof role !== "object" || role === null) throw new TypeError(`${WHO}: provider() takes an object with roleArn`);
    return entries.get(roleCacheKey(role, sessionNameFor(role)));
  }

  function stop(): void {
    if (stopped) return;
    stopped = true;
    timer.stop();
    budget.stop(stoppedError());
    for (const entry of entries.values()) {
      entry.evicted = true;
      entry.credentials = undefined;
      entry.resolved = undefined;
    }
    entries.clear();
    transport.destroy();
    telemetry?.close();
    refreshTelemetry?.close();
  }

  return {
    provider(role) {
      if (stopped) throw stoppedError();
      const found = lookup(role);
      if (found) return providers.get(found)!;
      const name = sessionNameFor(role);
      const request = resolveAssumeRoleRequest({ ...role, roleSessionName: name }, () => name, `${WHO}: provider()`);
      const entry = newEntry(roleCacheKey(role, name), request, now());
      providers.set(entry, makeProvider(entry));
      insert(entry);
      return providers.get(entry)!;
    },
    status(statusOptions) {
      const t = now();
      const status: AssumeRoleCacheStatus = { size: entries.size, maxEntries: settings.maxEntries, ...counters, rate: budget.status(), sts: transport.status(), stopped };
      if (clock.known) status.clockOffsetMs = clock.offsetMs;
      if (statusOptions?.entries !== false) status.entries = [...entries.values()].map((e) => entryStatus(e, t, clock.offsetMs));
      return status;
    },
    describe() {
      const d: AssumeRoleCacheDescription = {
        region: transport.region,
        ...failoverDescription(transport),
        serviceName: settings.serviceName,
        maxEntries: settings.maxEntries,
        idleTtlMs: settings.idleTtlMs,
        negativeTtlMs: settings.negativeTtlMs,
        stsRequestsPerSecond: settings.bucket.targetRate,
        stsBurst: settings.bucket.burst,
      };
      const endpoint = transport.endpoint();
      if (endpoint !== undefined) d.endpoint = endpoint;
      return d;
    },
    invalidate(role) {
      const targets = role === undefined ? [...entries.values()] : [lookup(role)].filter((e): e is RoleEntry => e !== undefined);
      for (const entry of targets) {
        budget.forgetRefusal?.(entry.key);
        entry.generation += 1;
        entry.credentials = undefined;
        entry.resolved = undefined;
        entry.expiresAt = undefined;
        entry.freshUntil = undefined;
        entry.rejected = undefined;
        entry.nextRefreshAt = undefined;
        entry.negativeUntil = undefined;
        entry.retryAt = undefined;
        entry.failures = 0;
        entry.inFlight = undefined;
      }
      return targets.length > 0;
    },
    stop,
    [Symbol.dispose]: stop,
  };
}

/**
 * The soonest expiry among the entries in use holding credentials (the one "expiry approaching" is about).
 * An entry nobody called since its fetch is not refreshed, by design: its expiry is no alert.
 */
function soonestExpiration(entries: ReadonlyMap<string, RoleEntry>): Date | undefined {
  let soonest = Infinity;
  for (const entry of entries.values()) {
    if (entry.usedSinceRefresh && entry.credentials !== undefined && entry.expiresAt !== undefined && entry.expiresAt < soonest) soonest = entry.expiresAt;
  }
  return soonest === Infinity ? undefined : new Date(soonest);
}
