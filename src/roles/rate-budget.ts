/**
 * One rate budget for every STS call of a role cache: callers wait for a token, callers that need
 * credentials now (demand) ahead of background refreshes, and among those the fetch the most callers wait
 * for first (a hot tenant's cold start before a rarely used one's). One timer at most, unref'd unless a
 * caller is waiting.
 */
import { initialBucket, onAccepted, onThrottled, takeToken, type TokenBucketPolicy, type TokenBucketState } from "./token-bucket.js";

export type Priority = "demand" | "background";

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
  /** How many callers this fetch serves (read when a token is handed out). */
  weight: () => number;
}

const ONE = (): number => 1;

/** The heaviest waiter, the earliest among equals. */
function heaviest(waiters: readonly Waiter[]): number {
  let best = 0;
  let bestWeight = -Infinity;
  for (let i = 0; i < waiters.length; i++) {
    const w = waiters[i]!.weight();
    if (w > bestWeight) {
      best = i;
      bestWeight = w;
    }
  }
  return best;
}

/** What `status().rate` shows. */
export interface RateBudgetStatus {
  /** Requests per second aimed for (`stsRequestsPerSecond`). */
  targetPerSecond: number;
  /** Requests per second allowed now (lower after Throttling, growing back). */
  currentPerSecond: number;
  /** When a pause after Throttling ends, if one is on. */
  pausedUntil: Date | undefined;
  /** Calls waiting for a token. */
  waitingDemand: number;
  waitingBackground: number;
}

export class RateBudget {
  readonly #policy: TokenBucketPolicy;
  readonly #now: () => number;
  readonly #random: () => number;
  #state: TokenBucketState;
  readonly #demand: Waiter[] = [];
  readonly #background: Waiter[] = [];
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
  acquire(priority: Priority, weight: () => number = ONE): Promise<void> {
    if (this.#stopped !== undefined) return Promise.reject(this.#stopped);
    return new Promise<void>((resolve, reject) => {
      (priority === "demand" ? this.#demand : this.#background).push({ resolve, reject, weight });
      this.#pump();
    });
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
    return {
      targetPerSecond: this.#policy.targetRate,
      currentPerSecond: Math.round(s.rate * 100) / 100,
      pausedUntil: s.pausedUntil > now ? new Date(s.pausedUntil) : undefined,
      waitingDemand: this.#demand.length,
      waitingBackground: this.#background.length,
    };
  }

  /** Rejects every waiter with `error` and every later `acquire`. */
  stop(error: unknown): void {
    this.#stopped = error;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const w of [...this.#demand.splice(0), ...this.#background.splice(0)]) w.reject(error);
  }

  #pump(): void {
    if (this.#timer !== undefined) return;
    for (;;) {
      const next = this.#demand[0] ?? this.#background[0];
      if (next === undefined) return;
      const taken = takeToken(this.#state, this.#policy, this.#now());
      this.#state = taken.state;
      if (!taken.granted) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#pump();
        }, Math.max(1, taken.waitMs));
        // Callers awaiting credentials keep the process alive (an unref'd wait let a script's top-level
        // await die mid-call); background refreshes alone never do.
        if (this.#demand.length === 0) this.#timer.unref();
        return;
      }
      if (this.#demand.length > 0) this.#demand.splice(heaviest(this.#demand), 1)[0]!.resolve();
      else this.#background.shift()!.resolve();
    }
  }
}
