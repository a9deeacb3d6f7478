import { describe, expect, it } from "vitest";
import { maxReceiveTimeoutMs, receiveTimeoutMs } from "../../src/sqs/long-poll-timeout.js";

describe("receiveTimeoutMs", () => {
  it("bounds a receive at WaitTimeSeconds + grace", () => {
    expect(receiveTimeoutMs(5, 5)).toBe(10_000);
    expect(receiveTimeoutMs(0, 2)).toBe(2_000);
    expect(receiveTimeoutMs(20, 3)).toBe(23_000);
  });

  it("assumes the SQS maximum of 20 s when WaitTimeSeconds is absent or nonsense", () => {
    expect(receiveTimeoutMs(undefined, 5)).toBe(25_000);
    expect(receiveTimeoutMs(Number.NaN, 5)).toBe(25_000);
    expect(receiveTimeoutMs(-1, 5)).toBe(25_000);
  });

  it("is never below the wait and never unbounded", () => {
    for (const wait of [0, 1, 5, 19, 20, 25, undefined]) {
      for (const grace of [0, 0.5, 1, 5, Number.POSITIVE_INFINITY, Number.NaN]) {
        const ms = receiveTimeoutMs(wait, grace);
        expect(Number.isFinite(ms)).toBe(true);
        expect(ms).toBeGreaterThanOrEqual(((wait ?? 20) + 1) * 1000);
      }
    }
  });

  it("gives the longest bound for a 20 s wait", () => {
    expect(maxReceiveTimeoutMs(5)).toBe(25_000);
  });
});
