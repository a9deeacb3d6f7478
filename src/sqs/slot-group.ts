/**
 * Counts the messages one poller has in hand against its share of `concurrency`, and lets the poller
 * wait for room. Taking happens only after a receive, by the poller that owns the group, so there is
 * no reservation to race on.
 */
interface Waiter {
  min: number;
  resolve: () => void;
  timer: NodeJS.Timeout | undefined;
}

export class SlotGroup {
  readonly size: number;
  #inHand = 0;
  #closed = false;
  #waiters: Waiter[] = [];

  constructor(size: number) {
    this.size = size;
  }

  get free(): number {
    return Math.max(0, this.size - this.#inHand);
  }

  take(n: number): void {
    this.#inHand += n;
  }

  release(n: number): void {
    this.#inHand = Math.max(0, this.#inHand - n);
    this.#settle();
  }

  /** Resolves once `min` slots are free, the group is closed, or `timeoutMs` has passed. */
  waitForRoom(min: number, timeoutMs?: number): Promise<void> {
    if (this.#closed || this.free >= min) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = { min, resolve, timer: undefined };
      if (timeoutMs !== undefined) {
        waiter.timer = setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          resolve();
        }, timeoutMs);
      }
      this.#waiters.push(waiter);
    });
  }

  /** Wakes every waiter for good (the consumer is stopping). */
  close(): void {
    this.#closed = true;
    this.#settle();
  }

  #settle(): void {
    const ready = this.#waiters.filter((w) => this.#closed || this.free >= w.min);
    if (ready.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.resolve();
    }
  }
}
