/**
 * Which visible messages a receive takes, and in what order. A standard queue hands them out oldest
 * visible first ({@link StandardVisibleSet}); a FIFO queue by message group ({@link FifoVisibleSet}).
 * The queue owns message states; a set only picks, and is told when states change.
 */
import { Deque } from "./deque.js";
import type { MessageState, QueueMessage } from "./queue-message.js";

export interface VisibleSet {
  /** A message entered the queue (any state). */
  added(message: QueueMessage): void;
  /** A message became visible (sent without delay, delay over, visibility timeout over or set to 0). */
  madeVisible(message: QueueMessage): void;
  /** A message changed state (the queue calls it for every change, including to `deleted`). */
  stateChanged(message: QueueMessage, from: MessageState, to: MessageState): void;
  /** Up to `max` visible messages to hand out now, in delivery order. Does not change their state. */
  pick(max: number): QueueMessage[];
  clear(): void;
}

/** Standard queue: oldest visible first; a message made visible again goes to the back. */
export class StandardVisibleSet implements VisibleSet {
  readonly #visible = new Deque<QueueMessage>();

  added(): void {}

  madeVisible(message: QueueMessage): void {
    this.#visible.push(message);
  }

  stateChanged(): void {}

  pick(max: number): QueueMessage[] {
    const out: QueueMessage[] = [];
    while (out.length < max) {
      const message = this.#visible.shift();
      if (message === undefined) break;
      // Deleted or received since it was listed: dropped lazily.
      if (message.state === "visible" && !out.includes(message)) out.push(message);
    }
    return out;
  }

  clear(): void {
    this.#visible.clear();
  }
}
