/**
 * When to refresh next: a pure function of (expiration, now, policy, random), so the rule can be tested
 * and simulated (a fleet of processes, a seeded random) without timers.
 */
import { stripUndefined } from "../shared/strip-undefined.js";
import { unitDraw } from "./unit-draw.js";

/**
 * How far ahead of expiry credentials are refreshed. All durations are in milliseconds.
 *
 * The refresh happens `lead` before expiry, `lead` drawn uniformly from
 * `[min(minLeadMs, remaining * minLeadFraction), min(maxLeadMs, remaining * maxLeadFraction)]`,
 * where `remaining` is the lifetime left when the credentials arrive. With the defaults:
 * - 1-hour credentials refresh 10–15 min before expiry (45–50 min after the fetch): done long before the
 *   SDK's own 5-minute window, and a fleet started within one second spreads its refreshes over 5 minutes;
 * - credentials living under 40 minutes refresh after 50–75% of their remaining lifetime (a 4-second
 *   lifetime refreshes 2–3 s after the fetch); from 20 minutes up the whole window stays ahead of the
 *   SDK's 5-minute window.
 */
export interface SchedulePolicy {
  /** Shortest lead before expiry for long lifetimes. Default 10 minutes. */
  minLeadMs: number;
  /** Longest lead before expiry for long lifetimes. Default 15 minutes. */
  maxLeadMs: number;
  /** Shortest lead as a fraction of the remaining lifetime, used when that is shorter. Default 0.25. */
  minLeadFraction: number;
  /** Longest lead as a fraction of the remaining lifetime, used when that is shorter. Default 0.5. */
  maxLeadFraction: number;
  /**
   * Never plan a refresh sooner than this after `now`, so a source handing out nearly-expired credentials
   * cannot drive a tight refresh loop. Default 1 second.
   */
  minDelayMs: number;
  /**
   * Refresh at least this often, whatever the expiration says; the only trigger for credentials without
   * an expiration (which are otherwise fetched once). Undefined (the default) means no period.
   */
  periodMs?: number;
  /** The period is shortened by up to this fraction at random, so a fleet does not refresh in step. Default 0.1. */
  periodJitterFraction: number;
}

/** The defaults documented on {@link SchedulePolicy}. */
export const DEFAULT_SCHEDULE_POLICY: Readonly<SchedulePolicy> = Object.freeze({
  minLeadMs: 10 * 60_000,
  maxLeadMs: 15 * 60_000,
  minLeadFraction: 0.25,
  maxLeadFraction: 0.5,
  minDelayMs: 1_000,
  periodMs: undefined,
  periodJitterFraction: 0.1,
});

/**
 * Plans the next refresh.
 *
 * @param expiration - when the credentials expire (`Date` or epoch ms); undefined or invalid means never.
 * @param now - epoch ms the plan is made at (normally the moment the credentials arrived).
 * @param policy - see {@link SchedulePolicy}.
 * @param random - a source of uniform numbers in `[0, 1)`; inject a seeded one to simulate a fleet.
 * @returns epoch ms of the next refresh, or undefined when nothing calls for one (no expiration, no period).
 *
 * @example
 * ```ts
 * const now = Date.now();
 * const at = planNextRefresh(new Date(now + 3_600_000), now, DEFAULT_SCHEDULE_POLICY, Math.random);
 * // at is between now + 45 min and now + 50 min
 * ```
 */
export function planNextRefresh(
  expiration: Date | number | undefined,
  now: number,
  policy: Readonly<SchedulePolicy> = DEFAULT_SCHEDULE_POLICY,
  random: () => number = Math.random,
): number | undefined {
  const expiresAt = expiration instanceof Date ? expiration.getTime() : (expiration ?? Number.NaN);
  let at: number | undefined;
  if (Number.isFinite(expiresAt)) {
    const remaining = expiresAt - now;
    if (remaining <= 0) {
      // Already expired: at once (no draw taken, so a seeded simulation's later draws do not shift).
      at = now;
    } else {
      const leadLow = Math.min(policy.minLeadMs, remaining * policy.minLeadFraction);
      const leadHigh = Math.min(policy.maxLeadMs, remaining * policy.maxLeadFraction);
      const lo = Math.min(leadLow, leadHigh);
      const hi = Math.max(leadLow, leadHigh);
      at = expiresAt - (lo + (hi - lo) * unitDraw(random));
    }
  }
  if (policy.periodMs !== undefined) {
    const byPeriod = now + policy.periodMs * (1 - policy.periodJitterFraction * unitDraw(random));
    at = at === undefined ? byPeriod : Math.min(at, byPeriod);
  }
  if (at === undefined) return undefined;
  return Math.round(Math.max(at, now + policy.minDelayMs));
}

/**
 * Fills in a partial policy and rejects nonsense at construction time (not at 3 a.m. on the first refresh).
 *
 * @example
 * ```ts
 * const policy = resolveSchedulePolicy({ minLeadMs: 5 * 60_000 }, 3_600_000);
 * ```
 */
export function resolveSchedulePolicy(partial: Partial<SchedulePolicy> = {}, periodMs?: number): SchedulePolicy {
  const policy: SchedulePolicy = { ...DEFAULT_SCHEDULE_POLICY, ...stripUndefined(partial) };
  if (periodMs !== undefined) policy.periodMs = periodMs;
  for (const key of ["minLeadMs", "maxLeadMs", "minDelayMs"] as const) {
    if (!(Number.isFinite(policy[key]) && policy[key] >= 0)) throw new RangeError(`${key} must be a non-negative number of ms, got ${policy[key]}`);
  }
  if (policy.minLeadMs > policy.maxLeadMs) throw new RangeError(`minLeadMs (${policy.minLeadMs}) must not exceed maxLeadMs (${policy.maxLeadMs})`);
  for (const key of ["minLeadFraction", "maxLeadFraction", "periodJitterFraction"] as const) {
    if (!(policy[key] >= 0 && policy[key] < 1)) throw new RangeError(`${key} must be in [0, 1), got ${policy[key]}`);
  }
  if (policy.minLeadFraction > policy.maxLeadFraction) {
    throw new RangeError(`minLeadFraction (${policy.minLeadFraction}) must not exceed maxLeadFraction (${policy.maxLeadFraction})`);
  }
  if (policy.periodMs !== undefined && !(Number.isFinite(policy.periodMs) && policy.periodMs > 0)) {
    throw new RangeError(`period must be a positive number of ms, got ${policy.periodMs}`);
  }
  return policy;
}
