/**
 * The scheduler's only timer: armed for the earliest time anything is due, never one per entry. Unref'd,
 * so a cache never keeps the process alive.
 */
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
    if (this.#timer) clearTimeout(this.#timer);
    const now = this.#now();
    this.#at = Math.max(at, now + this.#minGapMs);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#at = Infinity;
      this.#run();
    }, this.#at - now);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#at = Infinity;
  }
}
