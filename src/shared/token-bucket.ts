/**
 * The rate budget's arithmetic: a token bucket whose rate shrinks when STS throttles and grows back when
 * it stops. Pure: every function takes the state and the time, and returns the new state.
 */

export interface TokenBucketPolicy {
  /** The rate aimed for, in requests per second. */
  targetRate: number;
  /** Tokens that may be spent at once. */
  burst: number;
  /** The rate never shrinks below this. */
  minRate: number;
  /** Factor applied to the rate on each Throttling (0.5: halve). */
  decrease: number;
  /** After the last Throttling, the rate grows back by this fraction of the target per second. */
  recoveryPerSecond: number;
  /** Pause after a Throttling: `min(maxPauseMs, basePauseMs · 2^(streak-1))`, with equal jitter. */
  basePauseMs: number;
  maxPauseMs: number;
}

export interface TokenBucketState {
  tokens: number;
  /** Current rate (requests per second). */
  rate: number;
  /** Epoch ms of the last refill. */
  at: number;
  /** No token is handed out before this (epoch ms): the pause after a Throttling. */
  pausedUntil: number;
  /** Throttlings since the last successful call. */
  streak: number;
}

/** A full bucket at the target rate. */
export function initialBucket(policy: TokenBucketPolicy, now: number): TokenBucketState {
  return { tokens: policy.burst, rate: policy.targetRate, at: now, pausedUntil: 0, streak: 0 };
}

/** Tokens earned since `state.at`, and the rate grown back towards the target. */
export function refill(state: TokenBucketState, policy: TokenBucketPolicy, now: number): TokenBucketState {
  const seconds = Math.max(0, now - state.at) / 1000;
  if (seconds === 0) return state;
  const rate = state.streak > 0 ? state.rate : Math.min(policy.targetRate, state.rate + policy.targetRate * policy.recoveryPerSecond * seconds);
  // Nothing is earned during a pause after Throttling: else the pause ends in a burst of everything it held back.
  const earning = Math.max(0, now - Math.max(state.at, state.pausedUntil)) / 1000;
  return { ...state, tokens: Math.min(policy.burst, state.tokens + earning * state.rate), rate, at: now };
}

/**
 * Takes one token if there is one and no pause is on.
 *
 * @returns the new state, and either `granted` or how long until a token can be.
 *
 * @example
 * ```ts
 * const { state, granted, waitMs } = takeToken(bucket, policy, Date.now());
 * ```
 */
export function takeToken(state: TokenBucketState, policy: TokenBucketPolicy, now: number): { state: TokenBucketState; granted: boolean; waitMs: number } {
  const filled = refill(state, policy, now);
  if (now < filled.pausedUntil) return { state: filled, granted: false, waitMs: filled.pausedUntil - now };
  if (filled.tokens >= 1) return { state: { ...filled, tokens: filled.tokens - 1 }, granted: true, waitMs: 0 };
  return { state: filled, granted: false, waitMs: Math.ceil(((1 - filled.tokens) / filled.rate) * 1000) };
}

/**
 * STS said `Throttling`: shrink the rate, empty the bucket, pause with backoff. Answers that arrive while a
 * pause is on belong to calls sent before it (one burst), so they shrink nothing more.
 */
export function onThrottled(state: TokenBucketState, policy: TokenBucketPolicy, now: number, random: number): TokenBucketState {
  const filled = refill(state, policy, now);
  if (now < filled.pausedUntil) return { ...filled, tokens: 0 };
  const streak = filled.streak + 1;
  const ceiling = Math.min(policy.maxPauseMs, policy.basePauseMs * 2 ** (streak - 1));
  const pause = Math.round(ceiling / 2 + (ceiling / 2) * Math.min(Math.max(random, 0), 1));
  return {
    ...filled,
    tokens: 0,
    rate: Math.max(policy.minRate, filled.rate * policy.decrease),
    pausedUntil: Math.max(filled.pausedUntil, now + pause),
    streak,
  };
}

/** A call went through: the streak ends and the rate may grow back. */
export function onAccepted(state: TokenBucketState): TokenBucketState {
  return state.streak === 0 ? state : { ...state, streak: 0 };
}

/** STS's quota: requests per second per account and region, shared by AssumeRole and GetCallerIdentity. */
export const STS_REQUESTS_PER_SECOND_QUOTA = 600;

/** A fifth of a second's budget, at least 1. */
export const defaultBurst = (rate: number): number => Math.max(1, Math.floor(rate / 5));

/**
 * The token bucket of a budget of `rate` requests per second: Throttling halves the rate (down to a
 * twentieth, at least 1/s) and pauses 0.5 s doubling to 20 s; the rate grows back by a tenth per second.
 *
 * @example
 * ```ts
 * bucketPolicy(50, 10); // { targetRate: 50, burst: 10, minRate: 2.5, … }
 * ```
 */
export function bucketPolicy(rate: number, burst: number): TokenBucketPolicy {
  return {
    targetRate: rate,
    burst,
    minRate: Math.min(rate, Math.max(1, rate / 20)),
    decrease: 0.5,
    recoveryPerSecond: 0.1,
    basePauseMs: 500,
    maxPauseMs: 20_000,
  };
}
