/**
 * FIFO with a dead-letter queue, safe by default, as pure state. On a FIFO queue a receive takes a
 * group's messages in a run; when the first of them fails, the rest are released unhandled, and each
 * such receive counts against *their* `maxReceiveCount` too, so after a few rounds the healthy messages
 * behind a poison one land in the DLQ with it. The rule here: while a message that failed is still to be
 * retried, receive one message at a time (`MaxNumberOfMessages: 1`), so a retry of the poison message
 * brings only it; the receives of the group behind it wait, uncounted, until it succeeded or went to the
 * DLQ. Healthy traffic keeps full receives. The messages received together with the poison message the
 * first time (before anyone knew) are counted once; that is why a `maxReceiveCount` of 1 means one
 * message per receive always.
 */

/** How long a failed message is remembered without news of it (another replica may have taken it), ms. */
export const SUSPECT_TTL_MS = 5 * 60_000;

export class PoisonGuard {
  readonly #suspects = new Map<string, number>();
  /** `undefined` while the policy is being read: then the queue is assumed to have a DLQ (the safe guess). */
  #maxReceiveCount: number | undefined;
  #hasDlq = true;

  /** The queue's redrive policy is known: `undefined` = no dead-letter queue (nothing to guard). */
  policy(maxReceiveCount: number | undefined): void {
    this.#hasDlq = maxReceiveCount !== undefined;
    this.#maxReceiveCount = maxReceiveCount;
    if (!this.#hasDlq) this.#suspects.clear();
  }

  /** A message failed with this receive count: it is retried, so until then receive one at a time. */
  failed(messageId: string | undefined, receiveCount: number | undefined, now: number): void {
    if (!this.#hasDlq || messageId === undefined) return;
    // Its next receive moves it to the DLQ: nothing will come back to wait for.
    if (this.#maxReceiveCount !== undefined && receiveCount !== undefined && receiveCount >= this.#maxReceiveCount) {
      this.#suspects.delete(messageId);
      return;
    }
    this.#suspects.set(messageId, now + SUSPECT_TTL_MS);
  }

  /** A message succeeded: if it was a suspect, it is cleared. */
  succeeded(messageId: string | undefined): void {
    if (messageId !== undefined) this.#suspects.delete(messageId);
  }

  /** Most messages the next receive may ask for: 1 while a failed message awaits its retry (or always with `maxReceiveCount` 1). */
  maxMessages(now: number): number {
    if (!this.#hasDlq) return Infinity;
    if (this.#maxReceiveCount !== undefined && this.#maxReceiveCount <= 1) return 1;
    for (const [id, expiresAt] of this.#suspects) if (expiresAt <= now) this.#suspects.delete(id);
    return this.#suspects.size > 0 ? 1 : Infinity;
  }
}

/**
 * The system attributes a guarded FIFO consumer asks for: the user's plus `ApproximateReceiveCount`
 * (to know when a failed message's next receive sends it to the DLQ).
 *
 * @example
 * ```ts
 * withReceiveCount(["MessageGroupId"]); // ["MessageGroupId", "ApproximateReceiveCount"]
 * ```
 */
export function withReceiveCount<T extends string>(names: T[] | undefined): T[] | undefined {
  if (names === undefined || names.includes("All" as T) || names.includes("ApproximateReceiveCount" as T)) return names;
  return [...names, "ApproximateReceiveCount" as T];
}
