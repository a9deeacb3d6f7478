/**
 * One rate budget for every STS call of a role cache: callers wait for a token, callers that need
 * credentials now (demand) ahead of background refreshes, and among those the fetch the most callers wait
 * for first (a hot tenant's cold start before a rarely used one's). One timer at most, unref'd unless a
 * caller is waiting.
 */
import { initialBucket, onAccepted, onThrottled, takeToken, type TokenBucketPolicy, type TokenBucketState } from "./token-bucket.js";
import type { RateBudgetStatus, StsBudgetLink } from "./sts-budget.js";
import { WaitQueue, type Priority } from "./wait-queue.js";

const ONE = (): number => 1;

export type { Priority } from "./wait-queue.js";

export type { RateBudgetStatus } from "./sts-budget.js";

/** The in-process budget (one per cache, or the local share of a shared one). */
export class RateBudget implements StsBudgetLink {
  readonly #policy: TokenBucketPolicy;
  readonly #now: () => number;
  readonly #random: () => number;
  #state: TokenBucketState;
  readonly #queue = new WaitQueue();
  #timer: NodeJS.Timeout | undefined;
  #stopped: unknown;

  constructor(policy: TokenBucketPolicy, now: () => number, random: () => number) {
    this.#policy = policy;
    this.#now = now;
    this.#random = random;
    this.#state = initialBucket(policy, now());
  }

  /**
   * Resolves when a call of this priority may go to STS. `weight`: how many callers wait for this call;
   * the heaviest demand goes first (background calls go in order).
   */
  acquire(priority: Priority, weight: () => number = priority === "demand" ? ONE : () => 0): Promise<void> {
    if (this.#stopped !== undefined) return Promise.reject(this.#stopped);
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ priority, resolve, reject, weight });
      this.#pump();
    });
  }

  /**
   * A caller joined a queued fetch (its weight grew): a background refresh now counts as demand, and the
   * wait for the next token keeps the process alive.
   */
  nudge(): void {
    this.#holdIfCallersWait();
  }

  throttled(): void {
    this.#state = onThrottled(this.#state, this.#policy, this.#now(), this.#random());
  }

  accepted(): void {
    this.#state = onAccepted(this.#state);
  }

  status(): RateBudgetStatus {
    const now = this.#now();
    const s = this.#state;
    const waiting = this.#queue.counts();
    return {
      targetPerSecond: this.#policy.targetRate,
      currentPerSecond: Math.round(s.rate * 100) / 100,
      pausedUntil: s.pausedUntil > now ? new Date(s.pausedUntil) : undefined,
      waitingDemand: waiting.demand,
      waitingBackground: waiting.background,
    };
  }

  /** Rejects every waiter with `error` and every later `acquire`. */
  stop(error: unknown): void {
    this.#stopped = error;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const w of this.#queue.drain()) w.reject(error);
  }

  #pump(): void {
    // A timer is already set for the next token; a caller joining the queue may need it to hold the process.
    if (this.#timer !== undefined) return this.#holdIfCallersWait();
    for (;;) {
      if (this.#queue.size === 0) return;
      const taken = takeToken(this.#state, this.#policy, this.#now());
      this.#state = taken.state;
      if (!taken.granted) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#pump();
        }, Math.max(1, taken.waitMs));
        this.#timer.unref();
        this.#holdIfCallersWait();
        return;
      }
      this.#queue.shift()!.resolve();
    }
  }

  /**
   * Callers awaiting credentials keep the process alive (an unref'd wait let a script's top-level await
   * die mid-call); background refreshes alone never do.
   */
  #holdIfCallersWait(): void {
    if (this.#timer !== undefined && this.#queue.hasDemand()) this.#timer.ref();
  }
}
