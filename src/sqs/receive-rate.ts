/**
 * The shell around {@link TokenBucket} for `consume`'s pollers: reads the rate (a number, or a function
 * the application changes, e.g. when its downstream answers 429), waits for tokens on a timer that
 * `stop()` cuts short, and never lets a bad rate function stop the consumer.
 */
import { sleep } from "./sleep.js";
import { TokenBucket } from "./token-bucket.js";

/** `maxMessagesPerSecond`: messages started per second at most; a function is asked again before every receive. */
export type MessageRate = number | (() => number);

/** How often a zero rate is looked at again, ms: a function may raise it at any time. */
const ZERO_RATE_RECHECK_MS = 250;

export class ReceiveRate {
  readonly #bucket: TokenBucket;
  #last: number;

  constructor(
    private readonly rate: MessageRate,
    private readonly onBadRate: (error: unknown) => void,
  ) {
    this.#last = typeof rate === "number" ? rate : 0;
    this.#bucket = new TokenBucket(this.current(), Date.now());
  }

  /** The rate now: the function's answer, or the last good one when it throws or answers nonsense. */
  current(): number {
    if (typeof this.rate === "number") return this.rate;
    try {
      const value = this.rate();
      if (typeof value === "number" && Number.isFinite(value) && value >= 0) this.#last = value;
      else this.onBadRate(new RangeError(`consume: maxMessagesPerSecond() must return a finite number ≥ 0, got ${String(value)}`));
    } catch (error) {
      this.onBadRate(error);
    }
    return this.#last;
  }

  /**
   * Reserves tokens for up to `max` messages, waiting for at least one; resolves 0 when `signal` aborts
   * (stop: nobody waits on the limiter).
   */
  async acquire(max: number, signal: AbortSignal): Promise<number> {
    while (!signal.aborted) {
      const { granted, waitMs } = this.#bucket.take(max, this.current(), Date.now());
      if (granted > 0) return granted;
      await sleep(Math.min(waitMs, ZERO_RATE_RECHECK_MS), signal);
    }
    return 0;
  }

  /** A receive that had `reserved` tokens brought `used` messages. */
  settle(reserved: number, used: number): void {
    this.#bucket.settle(reserved, used);
  }
}
