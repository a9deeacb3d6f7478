/**
 * STS's request-rate quota, as a token bucket per account: AssumeRole and GetCallerIdentity of one account
 * draw on the same bucket (as they do on STS's 600 requests per second per account and region). A request
 * over the rate is answered with `Throttling` and spends nothing.
 */
import { FakeAwsError } from "../core/fake-service.js";

export interface FakeStsRateLimit {
  /** Sustained requests per second per account. */
  requestsPerSecond: number;
  /** Requests that may arrive at once after a quiet spell. Default: one second's worth. */
  burst?: number;
}

export class AccountRateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  #limit: Required<FakeStsRateLimit> | undefined;
  #throttled = 0;

  set(limit: FakeStsRateLimit | undefined): void {
    if (limit !== undefined) {
      const { requestsPerSecond } = limit;
      const burst = limit.burst ?? Math.max(1, requestsPerSecond);
      if (!(requestsPerSecond > 0) || !(burst >= 1)) throw new RangeError(`rate limit: requestsPerSecond must be > 0 and burst >= 1, got ${requestsPerSecond}, ${burst}`);
      this.#limit = { requestsPerSecond, burst };
    } else {
      this.#limit = undefined;
    }
    this.#buckets.clear();
  }

  get throttled(): number {
    return this.#throttled;
  }

  /** @throws FakeAwsError `Throttling` (400, "Rate exceeded") when `account` is over its rate at `now`. */
  take(account: string, now: number): void {
    const limit = this.#limit;
    if (limit === undefined) return;
    const bucket = this.#buckets.get(account) ?? { tokens: limit.burst, at: now };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.requestsPerSecond);
    bucket.at = now;
    this.#buckets.set(account, bucket);
    if (bucket.tokens < 1) {
      this.#throttled += 1;
      throw new FakeAwsError(400, "Throttling", "Rate exceeded");
    }
    bucket.tokens -= 1;
  }
}
