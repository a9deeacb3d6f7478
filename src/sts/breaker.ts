/**
 * The circuit breaker of one STS endpoint, as a pure state machine: every transition is a function of the
 * state, the policy and the time, so the rules can be tested over long random sequences without timers.
 *
 * - closed: calls go through; `failureThreshold` consecutive retryable failures open it.
 * - open: calls skip the endpoint until the cool-down has passed.
 * - half-open (cool-down over): one call at a time may probe it. Success closes it (and resets the
 *   cool-down); failure opens it again with the cool-down doubled, up to `maxCooldownMs`.
 */

export type BreakerPhase = "closed" | "open" | "half-open";

export interface BreakerPolicy {
  /** Consecutive retryable failures that open a closed breaker. */
  failureThreshold: number;
  /** First cool-down after the breaker opens (`failoverCooldownMs`). */
  cooldownMs: number;
  /** Ceiling of the doubling cool-down. */
  maxCooldownMs: number;
}

/** Default cool-down (`failoverCooldownMs`): 30 s. */
export const DEFAULT_FAILOVER_COOLDOWN_MS = 30_000;
/** Three failures in a row: one lost packet does not move a fleet to another region. */
export const DEFAULT_FAILURE_THRESHOLD = 3;
/** The doubling stops at 5 minutes (or at the cool-down itself, if that is longer). */
export const MAX_FAILOVER_COOLDOWN_MS = 300_000;

/** The breaker policy for a `failoverCooldownMs`. */
export function breakerPolicy(cooldownMs: number = DEFAULT_FAILOVER_COOLDOWN_MS, failureThreshold: number = DEFAULT_FAILURE_THRESHOLD): BreakerPolicy {
  return { failureThreshold, cooldownMs, maxCooldownMs: Math.max(cooldownMs, MAX_FAILOVER_COOLDOWN_MS) };
}

export interface BreakerState {
  /** `closed` or `open`; an open breaker whose cool-down has passed is half-open (see {@link breakerPhase}). */
  readonly open: boolean;
  /** Retryable failures in a row (since the last success). */
  readonly consecutiveFailures: number;
  /** When it last opened (epoch ms); undefined while closed. */
  readonly openedAt: number | undefined;
  /** The cool-down of the current (or next) opening. */
  readonly cooldownMs: number;
  /** Whether a half-open probe is in flight (only one at a time). */
  readonly probing: boolean;
}

/** A closed breaker. */
export function closedBreaker(policy: BreakerPolicy): BreakerState {
  return { open: false, consecutiveFailures: 0, openedAt: undefined, cooldownMs: policy.cooldownMs, probing: false };
}

/** When an open breaker lets a probe through (undefined while closed). */
export function reopensAt(state: BreakerState): number | undefined {
  return state.open && state.openedAt !== undefined ? state.openedAt + state.cooldownMs : undefined;
}

/** The phase at `now`. */
export function breakerPhase(state: BreakerState, now: number): BreakerPhase {
  if (!state.open) return "closed";
  return now >= reopensAt(state)! ? "half-open" : "open";
}

export interface Admission {
  admitted: boolean;
  /** This call is the half-open probe: pass `probe` back with its outcome. */
  probe: boolean;
  state: BreakerState;
}

/**
 * Whether a call may go to this endpoint now. In half-open, the first call to ask becomes the probe (the
 * returned state records it), and further calls are refused until the probe's outcome is known.
 *
 * @example
 * ```ts
 * const { admitted, probe, state: next } = admitCall(state, Date.now());
 * ```
 */
export function admitCall(state: BreakerState, now: number): Admission {
  const phase = breakerPhase(state, now);
  if (phase === "closed") return { admitted: true, probe: false, state };
  if (phase === "open" || state.probing) return { admitted: false, probe: false, state };
  return { admitted: true, probe: true, state: { ...state, probing: true } };
}

/** The endpoint answered (a success, or an error that is not the endpoint's fault): closed, cool-down reset. */
export function recordSuccess(policy: BreakerPolicy): BreakerState {
  return closedBreaker(policy);
}

/**
 * The endpoint failed with a retryable error (5xx, throttling, network, timeout). A closed breaker opens at
 * the threshold; a failed probe reopens it with the cool-down doubled; any other failure of an open
 * breaker (a call admitted before it opened) only counts.
 */
export function recordFailure(state: BreakerState, now: number, policy: BreakerPolicy, probe: boolean): BreakerState {
  const consecutiveFailures = state.consecutiveFailures + 1;
  if (probe && state.open) {
    return { open: true, consecutiveFailures, openedAt: now, cooldownMs: Math.min(policy.maxCooldownMs, state.cooldownMs * 2), probing: false };
  }
  if (state.open) return { ...state, consecutiveFailures };
  if (consecutiveFailures < policy.failureThreshold) return { ...state, consecutiveFailures };
  return { open: true, consecutiveFailures, openedAt: now, cooldownMs: policy.cooldownMs, probing: false };
}

/** A call ended in a way that says nothing about the endpoint's health: the probe it was is released. */
export function recordNeutral(state: BreakerState, probe: boolean): BreakerState {
  return probe ? { ...state, probing: false } : state;
}
