/**
 * How a standard queue hands out messages when they carry a `MessageGroupId`: SQS fair queues (2025)
 * treat the group as a tenant and, when one tenant has more messages in flight than the others, deliver
 * the other tenants' messages first, so a noisy tenant's backlog does not delay the quiet ones. What one
 * consumer can observe of that is the order of a receive: here, the visible message whose group has the
 * fewest messages in flight (counting those this receive already took) goes first, the oldest visible
 * one among equals. Messages without a group form one lane of their own; a queue without groups hands
 * out oldest visible first, exactly like {@link StandardVisibleSet}.
 */
import { Deque } from "./deque.js";
import type { MessageState, QueueMessage } from "./queue-message.js";
import type { VisibleSet } from "./visible-set.js";

interface Listed {
  message: QueueMessage;
  /** When it was listed; a message made visible again is listed anew and its older listing is stale. */
  seq: number;
}

export class FairVisibleSet implements VisibleSet {
  readonly #lanes = new Map<string, Deque<Listed>>();
  readonly #inFlight = new Map<string, number>();
  readonly #listedAs = new WeakMap<QueueMessage, number>();
  #seq = 0;

  added(): void {}

  madeVisible(message: QueueMessage): void {
    const seq = ++this.#seq;
    this.#listedAs.set(message, seq);
    const key = message.groupId ?? "";
    let lane = this.#lanes.get(key);
    if (lane === undefined) {
      lane = new Deque<Listed>();
      this.#lanes.set(key, lane);
    }
    lane.push({ message, seq });
  }

  stateChanged(message: QueueMessage, from: MessageState, to: MessageState): void {
    if (message.groupId === undefined) return;
    const group = message.groupId;
    if (to === "inflight") this.#inFlight.set(group, (this.#inFlight.get(group) ?? 0) + 1);
    if (from === "inflight") {
      const left = (this.#inFlight.get(group) ?? 1) - 1;
      if (left > 0) this.#inFlight.set(group, left);
      else this.#inFlight.delete(group);
    }
  }

  pick(max: number): QueueMessage[] {
    const out: QueueMessage[] = [];
    const taken = new Map<string, number>();
    while (out.length < max) {
      let best: { key: string; head: Listed; load: number } | undefined;
      for (const [key, lane] of this.#lanes) {
        const head = this.#head(key, lane);
        if (head === undefined) continue;
        // Ungrouped messages are nobody's tenant: never ahead of a quieter group, never held back either.
        const load = key === "" ? 0 : (this.#inFlight.get(key) ?? 0) + (taken.get(key) ?? 0);
        if (best === undefined || load < best.load || (load === best.load && head.seq < best.head.seq)) best = { key, head, load };
      }
      if (best === undefined) break;
      this.#lanes.get(best.key)!.shift();
      out.push(best.head.message);
      taken.set(best.key, (taken.get(best.key) ?? 0) + 1);
    }
    return out;
  }

  clear(): void {
    this.#lanes.clear();
    this.#inFlight.clear();
  }

  /** The lane's first listing still current (stale ones dropped); the lane is forgotten once empty. */
  #head(key: string, lane: Deque<Listed>): Listed | undefined {
    for (let head = lane.peek(); head !== undefined; head = lane.peek()) {
      if (head.message.state === "visible" && this.#listedAs.get(head.message) === head.seq) return head;
      lane.shift();
    }
    this.#lanes.delete(key);
    return undefined;
  }
}
