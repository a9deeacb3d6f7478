/**
 * The role cache's one timer (OneTimer): it fires no later than the earliest time armed, merges wake-ups
 * closer than its minimum gap, is one timer however often it is re-armed, and fires nothing once stopped.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { OneTimer } from "../../src/roles/one-timer.js";

afterEach(() => vi.useRealTimers());

/** A timer with a 100 ms minimum gap, on a fake clock at 0. */
function fakeTimer(): { run: ReturnType<typeof vi.fn>; timer: OneTimer } {
  vi.useFakeTimers({ now: 0 });
  const run = vi.fn();
  return { run, timer: new OneTimer(run, Date.now, 100) };
}

/** Not run by `ms - 1`, run once at `ms`. */
function expectRunAt(run: ReturnType<typeof vi.fn>, ms: number): void {
  vi.advanceTimersByTime(ms - 1 - Date.now());
  expect(run).not.toHaveBeenCalled();
  vi.advanceTimersByTime(1);
  expect(run).toHaveBeenCalledTimes(1);
}

describe("OneTimer", () => {
  it("a time closer than the minimum gap is pushed to the gap, not fired sooner", () => {
    const { run, timer } = fakeTimer();
    timer.arm(10);
    expectRunAt(run, 100);
    timer.stop();
  });

  it("armed again for the time it already has, within the gap of it: still fires then, not a gap later", () => {
    const { run, timer } = fakeTimer();
    timer.arm(1_000);
    vi.advanceTimersByTime(950);
    timer.arm(1_000);
    expectRunAt(run, 1_000);
    timer.stop();
  });

  it("armed earlier: one timer pending, not two", () => {
    const { timer } = fakeTimer();
    timer.arm(1_000);
    timer.arm(500);
    expect(vi.getTimerCount()).toBe(1);
    timer.stop();
  });

  it("stopped: fires nothing; armed again later, fires at the new time", () => {
    const { run, timer } = fakeTimer();
    timer.arm(500);
    timer.stop();
    expect(vi.getTimerCount()).toBe(0);
    timer.arm(800);
    expectRunAt(run, 800);
    timer.stop();
  });
});
