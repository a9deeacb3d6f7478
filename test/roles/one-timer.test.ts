/**
 * The role cache's one timer (OneTimer): it fires no later than the earliest time armed, merges wake-ups
 * closer than its minimum gap, is one timer however often it is re-armed, and fires nothing once stopped.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { OneTimer } from "../../src/roles/one-timer.js";

afterEach(() => vi.useRealTimers());

describe("OneTimer", () => {
  it("a time closer than the minimum gap is pushed to the gap, not fired sooner", () => {
    vi.useFakeTimers({ now: 0 });
    const run = vi.fn();
    const timer = new OneTimer(run, Date.now, 100);
    timer.arm(10);
    vi.advanceTimersByTime(99);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(1);
    timer.stop();
  });

  it("armed again for the time it already has, within the gap of it: still fires then, not a gap later", () => {
    vi.useFakeTimers({ now: 0 });
    const run = vi.fn();
    const timer = new OneTimer(run, Date.now, 100);
    timer.arm(1_000);
    vi.advanceTimersByTime(950);
    timer.arm(1_000);
    vi.advanceTimersByTime(50);
    expect(run).toHaveBeenCalledTimes(1);
    timer.stop();
  });

  it("armed earlier: one timer pending, not two", () => {
    vi.useFakeTimers({ now: 0 });
    const timer = new OneTimer(() => undefined, Date.now, 100);
    timer.arm(1_000);
    timer.arm(500);
    expect(vi.getTimerCount()).toBe(1);
    timer.stop();
  });

  it("stopped: fires nothing; armed again later, fires at the new time", () => {
    vi.useFakeTimers({ now: 0 });
    const run = vi.fn();
    const timer = new OneTimer(run, Date.now, 100);
    timer.arm(500);
    timer.stop();
    expect(vi.getTimerCount()).toBe(0);
    timer.arm(800);
    vi.advanceTimersByTime(799);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(1);
    timer.stop();
  });
});
