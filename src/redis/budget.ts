/**
 * `createRedisStsBudget`: STS's request quota (per account and region, shared by every caller of the
 * account) as one token bucket on Redis, shared by every replica of a service.
 */
import { bucketPolicy, defaultBurst, STS_REQUESTS_PER_SECOND_QUOTA } from "../shared/token-bucket.js";
import type { StsBudget } from "../shared/sts-budget.js";
import { redisSender, type RedisClientLike } from "./client.js";
import { bucketKey } from "./keys.js";
import { RedisBudgetLink } from "./link.js";

export interface RedisStsBudgetOptions {
  /** Your application's Redis client: ioredis 5 (`new Redis(...)`) or node-redis 5 (`createClient(...)`, connected). */
  client: RedisClientLike;
  /**
   * Requests per second for the whole fleet (every replica together), at most STS's quota of 600. Leave
   * room for other callers of the account (GetCallerIdentity, other services).
   */
  requestsPerSecond: number;
  /** Calls the fleet may send at once after a quiet spell. Default: a fifth of a second's budget, at least 1. */
  burst?: number;
  /**
   * The budget's name: replicas with the same `key` (and region) share one bucket. Use one per AWS
   * account whose quota it guards, e.g. the service's account id. Hashed before it reaches Redis. Default `"default"`.
   */
  key?: string;
  /**
   * About how many replicas share the budget. While Redis does not answer, each replica falls back to
   * `requestsPerSecond / expectedReplicas` on its own, so the fleet stays near the quota. Default 4.
   */
  expectedReplicas?: number;
  /** The longest a Redis round trip may take before the replica falls back to its local share. Default 250 ms. */
  timeoutMs?: number;
  /** While on its local share, how often a replica asks Redis whether it answers again. Default 1,000 ms. */
  rejoinAfterMs?: number;
  /** The first part of every Redis key. Default `"awscreds"`. */
  prefix?: string;
}

/** The defaults documented on {@link RedisStsBudgetOptions}. */
export const DEFAULT_REDIS_STS_BUDGET_OPTIONS = Object.freeze({ key: "default", expectedReplicas: 4, timeoutMs: 250, rejoinAfterMs: 1_000, prefix: "awscreds" });

const WHO = "createRedisStsBudget";

function positive(name: string, value: number, integer = false): number {
  if (!(Number.isFinite(value) && value > 0) || (integer && !Number.isInteger(value))) {
    throw new RangeError(`${WHO}: ${name} must be a positive ${integer ? "integer" : "number"}, got ${String(value)}`);
  }
  return value;
}

/**
 * One STS budget for a fleet of replicas, on the Redis your application already runs. Pass it as
 * `stsBudget` to `createAssumeRoleCache` (or `fromRegionalAssumeRole`) in every replica:
 * - every replica takes its tokens from one bucket per `key` and region (on Redis's clock), callers
 *   without credentials ahead of background refreshes across the fleet;
 * - `Throttling` seen by any replica halves the fleet's rate and pauses it, then it grows back;
 * - STS's refusals (AccessDenied, which is also a wrong ExternalId; ValidationError) are shared: one
 *   refusal costs the fleet one STS call per `negativeTtlMs`;
 * - Redis is never what credentials wait for: a round trip is bounded by `timeoutMs`; Redis down, slow or
 *   partitioned, each replica falls back at once to `requestsPerSecond / expectedReplicas`, logs it once,
 *   reports it in `status().rate.shared`, and shares again when Redis answers;
 * - nothing secret goes to Redis: keys are hashed, values are counters and STS error codes (no ExternalId,
 *   no credentials).
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { createAssumeRoleCache, createRefresher, fromEnvGatedChain } from "awscreds";
 * import { createRedisStsBudget } from "awscreds/redis";
 *
 * const stsBudget = createRedisStsBudget({ client: new Redis(process.env.REDIS_URL!), requestsPerSecond: 400, key: "123456789012", expectedReplicas: 8 });
 * const roles = createAssumeRoleCache({ source: createRefresher(fromEnvGatedChain()), stsBudget });
 * ```
 */
export function createRedisStsBudget(options: RedisStsBudgetOptions): StsBudget {
  if (typeof options !== "object" || options === null) throw new TypeError(`${WHO}: options must be an object with client and requestsPerSecond`);
  const send = redisSender(options.client, WHO);
  const d = DEFAULT_REDIS_STS_BUDGET_OPTIONS;
  const rate = positive("requestsPerSecond", options.requestsPerSecond);
  if (rate > STS_REQUESTS_PER_SECOND_QUOTA) throw new RangeError(`${WHO}: requestsPerSecond must be at most ${STS_REQUESTS_PER_SECOND_QUOTA} (STS's quota per account and region), got ${rate}`);
  const burst = options.burst === undefined ? defaultBurst(rate) : positive("burst", options.burst);
  const replicas = positive("expectedReplicas", options.expectedReplicas ?? d.expectedReplicas, true);
  const timeoutMs = positive("timeoutMs", options.timeoutMs ?? d.timeoutMs);
  const rejoinAfterMs = positive("rejoinAfterMs", options.rejoinAfterMs ?? d.rejoinAfterMs);
  const key = options.key ?? d.key;
  const prefix = options.prefix ?? d.prefix;
  if (typeof key !== "string" || key.length === 0 || typeof prefix !== "string" || prefix.length === 0) throw new TypeError(`${WHO}: key and prefix must be non-empty strings`);
  const policy = bucketPolicy(rate, burst);
  const localRate = rate / replicas;
  const localPolicy = bucketPolicy(localRate, Math.max(1, Math.floor(burst / replicas)));
  return {
    requestsPerSecond: rate,
    burst,
    open(scope) {
      return new RedisBudgetLink({
        send,
        bucketKey: bucketKey(prefix, key, scope.region),
        prefix,
        key,
        region: scope.region,
        policy,
        localPolicy,
        expectedReplicas: replicas,
        timeoutMs,
        rejoinAfterMs,
        logger: scope.logger,
        random: scope.random,
        label: scope.label,
      });
    },
  };
}
