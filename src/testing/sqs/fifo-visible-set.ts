/**
 * How a FIFO queue hands out messages: each message group is a line in send order; a group whose
 * messages are any of them in flight is held (nothing of it is delivered); otherwise its visible head,
 * and the visible messages right behind it, can go. A receive takes as many messages of one group as it
 * can, oldest group first, then fills up from the next groups, as SQS does.
 */
import { Deque } from "./deque.js";
import type { MessageState, QueueMessage } from "./queue-message.js";
import type { VisibleSet } from "./visible-set.js";

export class FifoVisibleSet implements VisibleSet {
  /** Every live message of each group, in sequence order (deleted ones dropped lazily from the head). */
  readonly #groups = new Map<string, Deque<QueueMessage>>();
  /** Messages in flight per group: a group with any is held. */
  readonly #inFlight = new Map<string, number>();

  added(message: QueueMessage): void {
    const group = message.groupId ?? "";
    let line = this.#groups.get(group);
    if (line === undefined) {
      line = new Deque<QueueMessage>();
      this.#groups.set(group, line);
    }
    line.push(message);
  }

  madeVisible(): void {}

  stateChanged(message: QueueMessage, from: MessageState, to: MessageState): void {
    const group = message.groupId ?? "";
    if (to === "inflight") this.#inFlight.set(group, (this.#inFlight.get(group) ?? 0) + 1);
    if (from === "inflight") {
      const left = (this.#inFlight.get(group) ?? 1) - 1;
      if (left > 0) this.#inFlight.set(group, left);
      else this.#inFlight.delete(group);
    }
  }

  /** Whether a group has a message in flight (for tests of the fake). */
  isHeld(group: string): boolean {
    return this.#inFlight.has(group);
  }

  pick(max: number): QueueMessage[] {
    const ready: { head: QueueMessage; line: Deque<QueueMessage> }[] = [];
    for (const [group, line] of this.#groups) {
      // Drop deleted messages at the head (peek, not iterate: shifting compacts the deque).
      let head = line.peek();
      while (head !== undefined && head.state === "deleted") {
        line.shift();
        head = line.peek();
      }
      if (head === undefined) {
        this.#groups.delete(group);
        continue;
      }
      if (!this.#inFlight.has(group) && head.state === "visible") ready.push({ head, line });
    }
    ready.sort((a, b) => a.head.fifoOrder - b.head.fifoOrder);
    const out: QueueMessage[] = [];
    for (const { line } of ready) {
      for (const m of line) {
        if (m.state === "deleted") continue;
        // A delayed message (queue-level delay) keeps everything behind it waiting, in order.
        if (m.state !== "visible") break;
        out.push(m);
        if (out.length === max) return out;
      }
    }
    return out;
  }

  clear(): void {
    this.#groups.clear();
    this.#inFlight.clear();
  }
}
