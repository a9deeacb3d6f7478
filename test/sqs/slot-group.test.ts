import { afterEach, describe, expect, it, vi } from "vitest";
import { SlotGroup } from "../../src/sqs/slot-group.js";

describe("SlotGroup", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("resolves at once while there is room", async () => {
    const slots = new SlotGroup(3);
    slots.take(2);
    await expect(slots.waitForRoom(1)).resolves.toBeUndefined();
    expect(slots.free).toBe(1);
  });

  it("waits until enough slots are released", async () => {
    const slots = new SlotGroup(4);
    slots.take(4);
    let woke = false;
    const waiting = slots.waitForRoom(2).then(() => (woke = true));
    slots.release(1);
    await Promise.resolve();
    expect(woke).toBe(false);
    slots.release(1);
    await waiting;
    expect(woke).toBe(true);
  });

  it("gives up waiting after the timeout", async () => {
    vi.useFakeTimers();
    const slots = new SlotGroup(2);
    slots.take(2);
    let woke = false;
    const waiting = slots.waitForRoom(1, 20).then(() => (woke = true));
    await vi.advanceTimersByTimeAsync(19);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(woke).toBe(true);
  });

  it("wakes every waiter when closed", async () => {
    const slots = new SlotGroup(1);
    slots.take(1);
    const waits = [slots.waitForRoom(1), slots.waitForRoom(1)];
    slots.close();
    await expect(Promise.all(waits)).resolves.toHaveLength(2);
    await expect(slots.waitForRoom(5)).resolves.toBeUndefined();
  });
});
