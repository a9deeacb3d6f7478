/**
 * FIFO hand-off for `consume`: the shell around {@link FifoGroups}. A poller slot per message group in
 * hand (a group runs one task at a time); a group's next task starts when the one before succeeds, and
 * the rest of a group in hand is handed back, in order, after a failure or at stop.
 */
import { FifoGroups, groupOf, splitByGroup } from "./fifo-groups.js";
import type { Handoff } from "./handoff.js";
import type { Held } from "./held.js";
import type { MessageRelease } from "./message-release.js";
import type { MessageRunner } from "./message-runner.js";
import type { SlotGroup } from "./slot-group.js";

export class FifoHandoff implements Handoff {
  /** Who runs next in each message group (at most `concurrency` groups at once). */
  readonly #groups: FifoGroups<Held>;
  /** The poller slot each group in hand holds. */
  readonly #groupSlots = new Map<string, SlotGroup>();

  constructor(
    concurrency: number,
    private readonly runner: MessageRunner,
    private readonly release: MessageRelease,
  ) {
    this.#groups = new FifoGroups<Held>(concurrency);
  }

  dispatch(slot: SlotGroup, helds: Held[]): void {
    // A poller slot per message group in hand, since a group runs one message at a time. A poll needs one
    // free slot and asks for a full receive (SQS fills it with as few groups as it can); the groups it
    // brings beyond `concurrency` wait their turn, kept invisible by the heartbeat.
    for (const [group, members] of splitByGroup(helds, (h) => groupOf(h.message))) {
      if (!this.#groups.has(group)) {
        this.#groupSlots.set(group, slot);
        slot.take(1);
      }
      const tasks = this.runner.batches ? [members] : members.map((h) => [h]);
      for (const task of tasks) for (const now of this.#groups.add(group, task)) this.#startInGroup(now.group, now.task);
    }
  }

  /** Messages waiting for their turn are not started any more: handed back, in order. */
  drainOnStop(): void {
    const { release: waiting, idle } = this.#groups.drain();
    this.release.handBack(waiting);
    for (const group of idle) this.#leave(group);
  }

  /** Runs a group's task, then the group's next one, or hands back the rest after a failure. */
  #startInGroup(group: string, task: Held[]): void {
    void this.runner.start(task, true).then((ok) => {
      const outcome = this.#groups.finished(group, ok);
      this.release.handBack(outcome.release);
      if (outcome.idle) this.#leave(group);
      for (const next of outcome.start) this.#startInGroup(next.group, next.task);
    });
  }

  /** A group has nothing left in hand: its slot goes back to the poller that took it. */
  #leave(group: string): void {
    this.#groupSlots.get(group)?.release(1);
    this.#groupSlots.delete(group);
  }
}
