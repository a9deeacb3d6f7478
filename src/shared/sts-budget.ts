/**
 * What STS calls wait for, as the role cache and `fromRegionalAssumeRole` see it: a budget link. The
 * in-process one is the role cache's `RateBudget`; `createRedisStsBudget` (`awscreds/redis`) gives one
 * shared by every replica. Types only: each room implements or uses them without knowing the other.
 */
import type { Logger } from "./logger.js";

/** `demand`: a caller waits for the call; `background`: a refresh ahead of expiry. */
export type StsCallPriority = "demand" | "background";

/** The fleet-wide side of `status().rate`, when the budget is shared (`awscreds/redis`). No secrets. */
export interface SharedBudgetStatus {
  /** `shared`: tokens come from the fleet's bucket on Redis; `local`: Redis did not answer, this replica uses its local share. */
  mode: "shared" | "local";
  /** Since when this mode is on. */
  since: Date;
  /** The local share used while Redis does not answer (`requestsPerSecond / expectedReplicas`). */
  localPerSecond: number;
  /** Tokens the shared bucket granted to this replica. */
  granted: number;
  /** Times this replica was told to wait for the shared bucket. */
  waits: number;
  /** Throttling answers reported by every replica of the fleet (as last read from Redis). */
  fleetThrottles: number;
  /** Times this replica fell back to its local share. */
  fallbacks: number;
  /** Why it last fell back (a Redis error's name and message, or the timeout). */
  lastError?: string;
}

/** What `status().rate` shows. */
export interface RateBudgetStatus {
  /** Requests per second aimed for (`stsRequestsPerSecond`, or the shared budget's `requestsPerSecond`). */
  targetPerSecond: number;
  /** Requests per second allowed now (lower after Throttling, growing back). */
  currentPerSecond: number;
  /** When a pause after Throttling ends, if one is on. */
  pausedUntil: Date | undefined;
  /** Calls waiting for a token. */
  waitingDemand: number;
  waitingBackground: number;
  /** With a shared budget (`stsBudget`): its mode and fleet-wide counts. */
  shared?: SharedBudgetStatus;
}

/** One user's (a cache's, a provider's) link to a budget. */
export interface StsBudgetLink {
  /** Resolves when a call of this priority may go to STS. `weight`: callers waiting for it (above 0 counts as demand). */
  acquire(priority: StsCallPriority, weight?: () => number): Promise<void>;
  /** A caller joined a queued call (its weight grew). */
  nudge(): void;
  /** STS answered Throttling: slow down (the whole fleet, when shared). */
  throttled(): void;
  /** STS answered a call: a Throttling streak is over. */
  accepted(): void;
  status(): RateBudgetStatus;
  /** Rejects every waiter with `error`, and every later `acquire`. */
  stop(error: unknown): void;
  /** Shared negative cache: the refusal code STS gave another replica for this role key, if one is cached. */
  sharedRefusal?(roleKey: string): Promise<string | undefined>;
  /** Shares STS's refusal of a role key with the fleet for `ttlMs`. */
  shareRefusal?(roleKey: string, code: string, ttlMs: number): void;
  /** Forgets the fleet's cached refusal of a role key (`invalidate(role)`). */
  forgetRefusal?(roleKey: string): void;
}

/** Who opens a link: the region its calls go to (budgets are per account and region), for log lines a label. */
export interface StsBudgetScope {
  region: string;
  logger: Logger;
  random: () => number;
  label: string;
}

/**
 * A budget beyond one cache or provider: `createRedisStsBudget` from `awscreds/redis`. Pass it as
 * `stsBudget` to `createAssumeRoleCache` or `fromRegionalAssumeRole`.
 */
export interface StsBudget {
  /** Requests per second for the whole fleet. */
  readonly requestsPerSecond: number;
  /** Tokens that may be spent at once. */
  readonly burst: number;
  /** Opens the link of one cache or provider (called once each, at construction). */
  open(scope: StsBudgetScope): StsBudgetLink;
}
