/**
 * The options of `createAssumeRoleCache`, their defaults, and their checks (at construction).
 */
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { resolveBackoffPolicy, type BackoffPolicy } from "../refresh/backoff.js";
import { resolveSchedulePolicy, type SchedulePolicy } from "../refresh/schedule.js";
import { resolveRejectionOptions } from "../refresh/rejection-options.js";
import { bucketPolicy, defaultBurst, STS_REQUESTS_PER_SECOND_QUOTA, type TokenBucketPolicy } from "../shared/token-bucket.js";
import type { AssumeRoleSpec, AssumeRoleTransportOptions } from "../sources/assume-role-options.js";
import type { StsBudget } from "../shared/sts-budget.js";


/** The defaults documented on {@link AssumeRoleCacheOptions}. */
export const DEFAULT_ROLE_CACHE_OPTIONS = Object.freeze({
  maxEntries: 10_000,
  idleTtlMs: 30 * 60_000,
  stsRequestsPerSecond: 50,
  negativeTtlMs: 60_000,
});

export interface AssumeRoleCacheOptions extends AssumeRoleTransportOptions {
  /**
   * The credentials that sign every AssumeRole: typically your service's own identity behind a refresher,
   * `createRefresher(fromEnvGatedChain())`. Called once per STS call, so it must be cheap (a refresher is).
   */
  source: AwsCredentialIdentityProvider;
  /** Your service, as default session names show it in the role owner's CloudTrail. Default: `OTEL_SERVICE_NAME`, else `awscreds`. */
  serviceName?: string;
  /** Entries kept at most; past it the least recently used is evicted. Default 10,000. */
  maxEntries?: number;
  /** An entry not used for this long is evicted (and is not refreshed meanwhile). Default 30 minutes. */
  idleTtlMs?: number;
  /**
   * The rate budget for STS calls of this cache (per process), in requests per second. STS allows 600 per
   * second per account and region, for all callers of the account together (every replica, every
   * GetCallerIdentity), so the default stays well under it. Default 50.
   */
  stsRequestsPerSecond?: number;
  /** Calls that may go at once after a quiet spell. Default: a fifth of a second's budget, at least 1. */
  stsBurst?: number;
  /**
   * A budget shared beyond this process: `createRedisStsBudget({ client, requestsPerSecond })` from
   * `awscreds/redis`, so every replica of the service shares STS's quota (and its refusals) instead of
   * each believing it owns the whole quota. Its `requestsPerSecond` and `burst` replace
   * `stsRequestsPerSecond` and `stsBurst` (give one or the other). Default: a budget of this process only.
   */
  stsBudget?: StsBudget;
  /**
   * How long a refusal (AccessDenied, which is also how STS answers a wrong ExternalId; ValidationError;
   * a malformed or too large policy) is answered from the cache without calling STS again. Default 60 s.
   */
  negativeTtlMs?: number;
  /**
   * After AWS rejects a role's credentials (`provider.invalidate()`, or a client wired with `attach()`), at
   * most one AssumeRole per role per this many ms is driven by rejections. Default 30,000 (as the refresher's).
   */
  rejectionRefreshIntervalMs?: number;
  /**
   * A role's credentials that expire within this long are not handed out while an AssumeRole can replace
   * them (callers wait for it; if it fails, they get the held ones until expiry). Capped at a tenth of the
   * credentials' lifetime, and judged on AWS's clock once a client attached to one of the roles measured an
   * offset (`systemClockOffset`). Default 60,000 (as the refresher's, and the AWS SDKs' shared behaviour).
   */
  mandatoryWindowMs?: number;
  /** When in-use entries are refreshed ahead of expiry (the refresher's rules). Default: `DEFAULT_SCHEDULE_POLICY`. */
  schedule?: Partial<SchedulePolicy>;
  /** Backoff between failed attempts of one entry. Default: `DEFAULT_BACKOFF_POLICY` (1 s doubling to 60 s). */
  backoff?: Partial<BackoffPolicy>;
  /** A source of uniform numbers in [0, 1) (jitter); inject a seeded one in simulations. Default `Math.random`. */
  random?: () => number;
  /**
   * The cache's `awscreds.provider` attribute in telemetry (`awscreds.role_cache.*`, and the refresh spans
   * and `awscreds.credentials.*` of its entries, reported per cache, never per role: one tenant per series
   * would not scale). Default `"awscreds role cache"`.
   */
  name?: string;
}

/** A role to serve from the cache: an AssumeRole spec, plus the tenant its default session name shows. */
export interface CachedRoleSpec extends AssumeRoleSpec {
  /**
   * Who the role is for, in the default session name `<serviceName>@<tenant>` (CloudTrail shows it next to
   * every call made with the credentials). Default: the role's account id.
   */
  tenant?: string;
}

export interface ResolvedRoleCacheOptions {
  maxEntries: number;
  idleTtlMs: number;
  negativeTtlMs: number;
  rejectionRefreshIntervalMs: number;
  mandatoryWindowMs: number;
  serviceName: string;
  bucket: TokenBucketPolicy;
  schedule: SchedulePolicy;
  backoff: BackoffPolicy;
  random: () => number;
}

const WHO = "createAssumeRoleCache";

/**
 * @throws RangeError / TypeError naming the option.
 *
 * @example
 * ```ts
 * resolveRoleCacheOptions({ source, stsRequestsPerSecond: 20 }, process.env);
 * ```
 */
export function resolveRoleCacheOptions(options: AssumeRoleCacheOptions, env: Readonly<Record<string, string | undefined>>): ResolvedRoleCacheOptions {
  if (typeof options !== "object" || options === null) throw new TypeError(`${WHO}: options must be an object with source`);
  if (typeof options.source !== "function") throw new TypeError(`${WHO}: source must be a credential provider (the credentials that sign AssumeRole)`);
  const d = DEFAULT_ROLE_CACHE_OPTIONS;
  const maxEntries = options.maxEntries ?? d.maxEntries;
  if (!(Number.isInteger(maxEntries) && maxEntries >= 1)) throw new RangeError(`${WHO}: maxEntries must be a positive integer, got ${maxEntries}`);
  const idleTtlMs = options.idleTtlMs ?? d.idleTtlMs;
  if (!(idleTtlMs > 0)) throw new RangeError(`${WHO}: idleTtlMs must be a positive number of ms, got ${idleTtlMs}`);
  const negativeTtlMs = options.negativeTtlMs ?? d.negativeTtlMs;
  if (!(Number.isFinite(negativeTtlMs) && negativeTtlMs >= 0)) throw new RangeError(`${WHO}: negativeTtlMs must be a non-negative number of ms, got ${negativeTtlMs}`);
  const { rejectionRefreshIntervalMs, mandatoryWindowMs } = resolveRejectionOptions(options, WHO);
  if (options.stsBudget !== undefined && (options.stsRequestsPerSecond !== undefined || options.stsBurst !== undefined)) {
    throw new TypeError(`${WHO}: stsRequestsPerSecond and stsBurst belong to the stsBudget when one is given (createRedisStsBudget({ requestsPerSecond, burst })); drop them here`);
  }
  if (options.stsBudget !== undefined && typeof options.stsBudget?.open !== "function") {
    throw new TypeError(`${WHO}: stsBudget must be a budget from createRedisStsBudget() (awscreds/redis)`);
  }
  const rate = options.stsBudget?.requestsPerSecond ?? options.stsRequestsPerSecond ?? d.stsRequestsPerSecond;
  if (!(Number.isFinite(rate) && rate > 0 && rate <= STS_REQUESTS_PER_SECOND_QUOTA)) {
    throw new RangeError(
      `${WHO}: stsRequestsPerSecond must be above 0 and at most ${STS_REQUESTS_PER_SECOND_QUOTA} (STS's quota per account and region, shared by every replica), got ${rate}`,
    );
  }
  const burst = options.stsBudget?.burst ?? options.stsBurst ?? defaultBurst(rate);
  if (!(Number.isFinite(burst) && burst >= 1)) throw new RangeError(`${WHO}: stsBurst must be at least 1, got ${burst}`);
  if (options.random !== undefined && typeof options.random !== "function") throw new TypeError(`${WHO}: random must be a function`);
  const serviceName = options.serviceName ?? env.OTEL_SERVICE_NAME?.trim() ?? "awscreds";
  return {
    maxEntries,
    idleTtlMs,
    negativeTtlMs,
    rejectionRefreshIntervalMs,
    mandatoryWindowMs,
    serviceName: serviceName || "awscreds",
    bucket: bucketPolicy(rate, burst),
    schedule: resolveSchedulePolicy(options.schedule),
    backoff: resolveBackoffPolicy(options.backoff),
    random: options.random ?? Math.random,
  };
}


