/**
 * The calls waiting for an STS token, and which goes next: demand (a caller without valid credentials
 * waits for it) before background refreshes, and among demand the fetch the most callers wait for (a hot
 * tenant's cold start before a rarely used one's). A queued background refresh counts as demand as soon
 * as a caller joins it (its weight is above 0): its credentials expired meanwhile and someone waits.
 */

import type { StsCallPriority } from "./sts-budget.js";

export type Priority = StsCallPriority;

export interface Waiter {
  readonly priority: Priority;
  resolve(): void;
  reject(error: unknown): void;
  /** How many callers this fetch serves (read when a token is handed out). */
  weight: () => number;
}

/** Whether a caller waits for this call (a demand fetch, or a background refresh a caller joined). */
export const isDemand = (w: Waiter): boolean => w.priority === "demand" || w.weight() > 0;

export class WaitQueue {
  /** In arrival order. */
  readonly #waiters: Waiter[] = [];

  push(waiter: Waiter): void {
    this.#waiters.push(waiter);
  }

  get size(): number {
    return this.#waiters.length;
  }

  /** Whether any caller waits (the timer that hands out the next token must then keep the process alive). */
  hasDemand(): boolean {
    return this.#waiters.some(isDemand);
  }

  counts(): { demand: number; background: number } {
    const demand = this.#waiters.filter(isDemand).length;
    return { demand, background: this.#waiters.length - demand };
  }

  /** The next to go, without taking it out: the heaviest demand (the earliest among equals), else the oldest background. */
  peek(): Waiter | undefined {
    let best: Waiter | undefined;
    let bestWeight = 0;
    for (const w of this.#waiters) {
      if (!isDemand(w)) continue;
      const weight = Math.max(1, w.weight());
      if (weight > bestWeight) {
        best = w;
        bestWeight = weight;
      }
    }
    return best ?? this.#waiters[0];
  }

  /** Takes out the next one (see `peek`). */
  shift(): Waiter | undefined {
    const next = this.peek();
    if (next !== undefined) this.#waiters.splice(this.#waiters.indexOf(next), 1);
    return next;
  }

  /** Takes out this waiter (when it got its token). */
  remove(waiter: Waiter): void {
    const at = this.#waiters.indexOf(waiter);
    if (at >= 0) this.#waiters.splice(at, 1);
  }

  /** Takes out every waiter, oldest first. */
  drain(): Waiter[] {
    return this.#waiters.splice(0);
  }
}
