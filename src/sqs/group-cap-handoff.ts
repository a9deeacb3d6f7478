/**
 * `maxConcurrencyPerGroup` hand-off for `consume` on a fair queue: the shell around {@link GroupCap}. A
 * message starts now, waits in hand for its group's turn, or is deferred (let go without a call).
 */
import type { ConsumeCounters } from "./consume-counters.js";
import { GroupCap } from "./group-cap.js";
import type { Handoff } from "./handoff.js";
import type { Held } from "./held.js";
import type { MessageRelease } from "./message-release.js";
import type { MessageRunner } from "./message-runner.js";
import type { SlotGroup } from "./slot-group.js";
import type { VisibilityHeartbeat } from "./visibility-heartbeat.js";

export class GroupCapHandoff implements Handoff {
  /** Who runs and who waits, per message group. */
  readonly #cap: GroupCap<{ held: Held; slot: SlotGroup }>;

  constructor(
    maxConcurrencyPerGroup: number,
    concurrency: number,
    private readonly runner: MessageRunner,
    private readonly release: MessageRelease,
    private readonly heartbeat: VisibilityHeartbeat,
    private readonly counters: ConsumeCounters,
  ) {
    this.#cap = new GroupCap(maxConcurrencyPerGroup, concurrency);
  }

  dispatch(slot: SlotGroup, helds: Held[]): void {
    for (const held of helds) {
      const group = held.message.Attributes?.MessageGroupId;
      const verdict = this.#cap.admit(group, { held, slot });
      if (verdict === "start") this.#start(group, held, slot);
      else if (verdict === "defer") {
        // No call: it is invisible for this receive's VisibilityTimeout and comes back then.
        this.heartbeat.untrack(held.key);
        this.counters.deferred += 1;
      }
    }
  }

  /** Messages waiting their group's turn are not started any more: handed back. */
  drainOnStop(): void {
    this.release.handBack(this.#cap.drain().map((w) => w.held));
  }

  /** A message of a capped group runs; when it is done, the next of its group waiting in hand takes its place. */
  #start(group: string | undefined, held: Held, slot: SlotGroup): void {
    slot.take(1);
    void this.runner.start([held]).finally(() => {
      slot.release(1);
      const next = this.#cap.finished(group);
      if (next === undefined) return;
      this.#start(group, next.held, next.slot);
    });
  }
}
