/**
 * `createAssumeRoleCache`: many roles (one per tenant) on one STS transport, one scheduler and one rate
 * budget. This file builds the shared state (core.ts) and wires the parts, each of which decides one thing:
 * finding an entry (lookup.ts), serving a call (serve.ts), a fetch through the budget and what it leaves
 * on the entry (fetch-lifecycle.ts, budgeted-fetch.ts, outcome.ts, negative.ts), the refresh-ahead
 * scheduler (scheduler.ts), eviction (eviction.ts), `invalidate` (forget.ts), and the reports (cache-report.ts).
 */
import { silentLogger } from "../shared/logger.js";
import { resolveAssumeRoleTransport } from "../sources/assume-role-config.js";
import { resolveEnv } from "../shared/env.js";
import { DEFAULT_RETRY_POLICY } from "../sts/retry.js";
import type { StsBudgetLink } from "../shared/sts-budget.js";
import { createStsTransport } from "../sts/transport.js";
import { credentialsTelemetry, roleCacheTelemetry } from "../telemetry/index.js";
import type { AssumeRoleCache } from "./cache-types.js";
import { cacheStatus, describeCache, observeCache } from "./cache-report.js";
import { noteClockOffset, stoppedError, WHO, type RoleCacheCore } from "./core.js";
import type { RoleEntry } from "./entry.js";
import { dropAll } from "./eviction.js";
import { startFetch } from "./fetch-lifecycle.js";
import { forgetEntry } from "./forget.js";
import { lookupEntry, providerFor } from "./lookup.js";
import { OneTimer } from "./one-timer.js";
import { resolveRoleCacheOptions, type AssumeRoleCacheOptions } from "./options.js";
import { RateBudget } from "../shared/rate-budget.js";
import type { EntryRejectionDeps } from "./rejection.js";
import { tick } from "./scheduler.js";
import type { RoleCacheCounters } from "./status.js";

export type { AssumeRoleCache, AssumeRoleCacheDescription, CachedRoleProvider } from "./cache-types.js";

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
  const random = settings.random;
  const now = (): number => Date.now();
  // One budget per cache, or this cache's link to a budget the whole fleet shares (awscreds/redis).
  const budget: StsBudgetLink = options.stsBudget?.open({ region: transport.region, logger, random, label: options.name ?? WHO }) ?? new RateBudget(settings.bucket, now, random);
  const counters: RoleCacheCounters = { hits: 0, misses: 0, coalesced: 0, negativeHits: 0, backoffHits: 0, evictions: 0, stsCalls: 0, throttled: 0, failures: 0 };
  const telemetryName = options.name ?? "awscreds role cache";
  const core: RoleCacheCore = {
    settings,
    logger,
    transport,
    budget,
    entries: new Map<string, RoleEntry>(),
    providers: new WeakMap(),
    counters,
    clock: { offsetMs: 0, mandatoryWindowMs: settings.mandatoryWindowMs, known: false },
    timer: new OneTimer(() => tick(core), now, 100),
    fetchDeps: {
      transport,
      source: options.source,
      budget,
      retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
      logger,
      counters,
      random,
      stopped: () => core.stopped,
      stoppedError: () => stoppedError(),
      clampsLogged: new Set<string>(),
      negativeTtlMs: settings.negativeTtlMs,
      throttleLog: { at: -Infinity },
    },
    telemetry: roleCacheTelemetry(options.telemetry, telemetryName),
    // Every entry's fetches, as one provider (per role would be a series per tenant).
    refreshTelemetry: credentialsTelemetry(options.telemetry, { provider: telemetryName, source: "assume-role" }),
    now,
    stopped: false,
  };
  observeCache(core);
  const rejectionDeps: EntryRejectionDeps = {
    now,
    offsetMs: () => core.clock.offsetMs,
    noteClockOffset: (offsetMs) => noteClockOffset(core.clock, offsetMs),
    intervalMs: settings.rejectionRefreshIntervalMs,
    logger,
    fetch: (entry) => {
      entry.waiting = 1;
      return startFetch(core, entry, "demand", "rejected");
    },
  };

  function stop(): void {
    if (core.stopped) return;
    core.stopped = true;
    core.timer.stop();
    budget.stop(stoppedError());
    dropAll(core);
    transport.destroy();
    core.telemetry?.close();
    core.refreshTelemetry?.close();
  }

  return {
    provider(role) {
      if (core.stopped) throw stoppedError();
      return providerFor(core, role, rejectionDeps);
    },
    status: (statusOptions) => cacheStatus(core, statusOptions),
    describe: () => describeCache(core),
    invalidate(role) {
      const targets = role === undefined ? [...core.entries.values()] : [lookupEntry(core, role)].filter((e): e is RoleEntry => e !== undefined);
      for (const entry of targets) forgetEntry(budget, entry);
      return targets.length > 0;
    },
    stop,
    [Symbol.dispose]: stop,
  };
}
