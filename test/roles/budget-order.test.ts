/**
 * Who gets the rate budget's next token: a queued background refresh goes as demand as soon as a caller
 * without valid credentials joins it (its credentials expired while it waited), ahead of lighter demand.
 */
import { afterEach, expect, it, vi } from "vitest";
import { RateBudget } from "../../src/shared/rate-budget.js";
import type { TokenBucketPolicy } from "../../src/shared/token-bucket.js";

const policy: TokenBucketPolicy = { targetRate: 1, burst: 1, minRate: 1, decrease: 0.5, recoveryPerSecond: 0.1, basePauseMs: 500, maxPauseMs: 20_000 };
afterEach(() => vi.useRealTimers());

it("a background refresh that callers joined goes before a later role's demand; one nobody joined goes after", async () => {
  vi.useFakeTimers({ now: 0 });
  const budget = new RateBudget(policy, Date.now, () => 0.5);
  const order: string[] = [];
  await budget.acquire("demand"); // the only token
  let joinedA = 0;
  void budget.acquire("background", () => joinedA).then(() => order.push("refresh A (joined)"));
  void budget.acquire("background", () => 0).then(() => order.push("refresh B"));
  void budget.acquire("demand", () => 1).then(() => order.push("demand C"));
  joinedA = 20; // 20 callers found A's credentials expired and wait for its refresh
  budget.nudge();
  expect(budget.status()).toMatchObject({ waitingDemand: 2, waitingBackground: 1 });
  await vi.advanceTimersByTimeAsync(3_100);
  expect(order).toEqual(["refresh A (joined)", "demand C", "refresh B"]);
});
