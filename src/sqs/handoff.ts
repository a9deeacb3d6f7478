/**
 * How a receive's messages, once in hand, reach the handlers. Three ways, one per queue kind: standard
 * (here: everything starts at once), FIFO (fifo-handoff.ts: one at a time per message group) and a fair
 * queue with `maxConcurrencyPerGroup` (group-cap-handoff.ts: at most the cap per group).
 */
import type { Held } from "./held.js";
import type { MessageRunner } from "./message-runner.js";
import type { SlotGroup } from "./slot-group.js";

export interface Handoff {
  /** Starts (or lines up) the messages one poller (`slot`) just received. */
  dispatch(slot: SlotGroup, helds: Held[]): void;
  /** The consumer stops: messages still waiting their turn are handed back, not started. */
  drainOnStop(): void;
}

/** Standard queue: a slot per message in hand, taken at receipt, given back when its handler is done. */
export class StandardHandoff implements Handoff {
  constructor(private readonly runner: MessageRunner) {}

  dispatch(slot: SlotGroup, helds: Held[]): void {
    const runs = this.runner.batches ? [helds] : helds.map((h) => [h]);
    slot.take(helds.length);
    for (const task of runs) {
      void this.runner.start(task).finally(() => slot.release(task.length));
    }
  }

  drainOnStop(): void {
    // Nothing waits: every message in hand started at receipt.
  }
}
