/**
 * The scheduler's only timer: armed for the earliest time anything is due, never one per entry. Unref'd,
 * so a cache never keeps the process alive. A wait longer than setTimeout allows (`idleTtlMs` of 25 days
 * and more, a natural "never evict") sleeps in steps of at most that limit.
 */
import { MAX_TIMER_MS } from "../shared/timer-limit.js";

export class OneTimer {
  #timer: NodeJS.Timeout | undefined;
  #at = Infinity;
  readonly #run: () => void;
  readonly #now: () => number;
  readonly #minGapMs: number;

  /** `minGapMs`: wake-ups closer together than this are merged (a tick handles everything due). */
  constructor(run: () => void, now: () => number, minGapMs: number) {
    this.#run = run;
    this.#now = now;
    this.#minGapMs = minGapMs;
  }

  /** Makes sure the timer fires no later than `at` (epoch ms). */
  arm(at: number): void {
    if (!Number.isFinite(at) || at >= this.#at) return;
    this.#at = Math.max(at, this.#now() + this.#minGapMs);
    this.#sleep();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#at = Infinity;
  }

  #sleep(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#now() < this.#at) return this.#sleep(); // one step of a longer wait
      this.#at = Infinity;
      this.#run();
    }, Math.min(this.#at - this.#now(), MAX_TIMER_MS));
    this.#timer.unref();
  }
}
