import { describe, expect, it } from "vitest";
import { heartbeatDue, heartbeatTickMs } from "../../src/sqs/visibility-heartbeat.js";

describe("heartbeat schedule", () => {
  it("ticks at half the interval", () => {
    expect(heartbeatTickMs(15_000)).toBe(7_500);
    expect(heartbeatTickMs(20)).toBe(50);
  });

  it("extends at the last tick before the interval is over", () => {
    expect(heartbeatDue(0, 7_000, 15_000, 7_500)).toBe(false);
    expect(heartbeatDue(0, 7_500, 15_000, 7_500)).toBe(true);
    expect(heartbeatDue(0, 8_000, 15_000, 7_500)).toBe(true);
  });

  it("always extends with at least half the visibility timeout left, whatever the tick phase", () => {
    const visibilityMs = 30_000;
    const intervalMs = visibilityMs / 2;
    const tickMs = heartbeatTickMs(intervalMs);
    for (let phase = 0; phase < tickMs; phase += 250) {
      let now = phase;
      while (!heartbeatDue(0, now, intervalMs, tickMs)) now += tickMs;
      expect(now).toBeLessThanOrEqual(intervalMs);
      expect(visibilityMs - now).toBeGreaterThanOrEqual(visibilityMs / 2);
    }
  });
});
