/**
 * How long a `ReceiveMessage` may take on the long-polling client: the wait SQS may hold the request
 * for, plus a grace for the reply to travel. Pure, so the rule can be tested without a network.
 */

/** SQS's own maximum for `WaitTimeSeconds`; also what a queue's `ReceiveMessageWaitTimeSeconds` can be. */
export const SQS_MAX_WAIT_TIME_SECONDS = 20;

/** Default grace on top of the wait: enough for a loaded front end and a slow network, not more. */
export const DEFAULT_GRACE_SECONDS = 5;

/**
 * Below this, an empty long poll (answered by SQS at exactly `WaitTimeSeconds`) races the timer
 * and loses on an ordinary network hiccup.
 */
export const MIN_GRACE_SECONDS = 1;

/**
 * The request timeout, in ms, for a `ReceiveMessage` with this `WaitTimeSeconds`.
 *
 * Without `WaitTimeSeconds` the queue's `ReceiveMessageWaitTimeSeconds` applies, which we cannot see,
 * so the SQS maximum (20 s) is assumed. The result is never below the wait (the grace is at least
 * {@link MIN_GRACE_SECONDS}) and always finite.
 *
 * @example
 * ```ts
 * receiveTimeoutMs(5, 5); // 10_000
 * receiveTimeoutMs(undefined, 5); // 25_000
 * ```
 */
export function receiveTimeoutMs(waitTimeSeconds: number | undefined, graceSeconds: number): number {
  const wait =
    typeof waitTimeSeconds === "number" && Number.isFinite(waitTimeSeconds) && waitTimeSeconds >= 0
      ? waitTimeSeconds
      : SQS_MAX_WAIT_TIME_SECONDS;
  // A wait above 20 s is rejected by SQS at once; bounding it at wait + grace still never cuts it short.
  const grace = Math.max(MIN_GRACE_SECONDS, Number.isFinite(graceSeconds) ? graceSeconds : DEFAULT_GRACE_SECONDS);
  return Math.ceil((wait + grace) * 1000);
}

/** The longest any `ReceiveMessage` can legitimately take on the long-polling client. */
export function maxReceiveTimeoutMs(graceSeconds: number): number {
  return receiveTimeoutMs(SQS_MAX_WAIT_TIME_SECONDS, graceSeconds);
}
