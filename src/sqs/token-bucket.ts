/**
 * The arithmetic of `consume({ maxMessagesPerSecond })`, as pure state (time is passed in): a token per
 * message, refilled at the rate, at most one receive's worth (1 to 10 tokens) banked. A poller reserves
 * tokens for the messages it asks for before it polls, so every message it receives can start at once
 * within the rate, and gives back what the receive did not use. Reserved tokens count against the bank,
 * so a long poll that waited does not come back to a full bank as well (no double burst).
 */

/** The most tokens banked for a rate: one full receive (10) at most, one message at least. */
export function bucketCapacity(rate: number): number {
  return Math.max(1, Math.min(10, Math.floor(rate)));
}

export class TokenBucket {
  #tokens: number;
  #reserved = 0;
  #at: number;

  constructor(rate: number, now: number) {
    this.#tokens = rate > 0 ? bucketCapacity(rate) : 0;
    this.#at = now;
  }

  /** Whole tokens available now (for tests and status). */
  available(rate: number, now: number): number {
    this.#refill(rate, now);
    return Math.floor(this.#tokens);
  }

  /**
   * Reserves up to `max` whole tokens. `granted` 0 means none is available: wait `waitMs` (Infinity
   * while the rate is 0) and ask again.
   */
  take(max: number, rate: number, now: number): { granted: number; waitMs: number } {
    this.#refill(rate, now);
    const granted = Math.max(0, Math.min(max, Math.floor(this.#tokens)));
    if (granted > 0) {
      this.#tokens -= granted;
      this.#reserved += granted;
      return { granted, waitMs: 0 };
    }
    return { granted: 0, waitMs: rate > 0 ? Math.max(1, Math.ceil(((1 - this.#tokens) / rate) * 1000)) : Infinity };
  }

  /** `used` of `reserved` tokens were spent on messages; the rest go back to the bank. */
  settle(reserved: number, used: number): void {
    this.#reserved = Math.max(0, this.#reserved - reserved);
    this.#tokens += Math.max(0, reserved - used);
  }

  #refill(rate: number, now: number): void {
    const elapsed = Math.max(0, now - this.#at);
    this.#at = now;
    if (!(rate > 0)) return;
    const room = Math.max(0, bucketCapacity(rate) - this.#reserved);
    // A lowered rate shrinks the bank at once; a raised one fills it at the new rate.
    this.#tokens = Math.max(0, Math.min(room, this.#tokens + (elapsed * rate) / 1000));
  }
}
