/**
 * Which waiting messages go into the next `SendMessageBatch`, as pure state. On a FIFO queue each
 * message group is a lane in send order and a lane with a batch in flight (or a retry pending) is busy:
 * its next batch waits until the previous one landed, so SQS enqueues the group in order. On a standard
 * queue there is one lane and no busy state: any number of its batches may be in flight.
 */

export interface LaneEntry {
  /** Size SQS counts for the message (body + attributes), bytes. */
  bytes: number;
  /** Its lane: the `MessageGroupId` on a FIFO queue, `undefined` otherwise. */
  group: string | undefined;
}

export interface Batch<E extends LaneEntry> {
  entries: E[];
  /** FIFO lanes this batch holds busy until {@link SendLanes.landed}. */
  groups: string[];
}

export interface BatchLimits {
  maxEntries: number;
  maxBytes: number;
  /** A message larger than this is never packed: it goes to `refused`. */
  maxMessageBytes: number;
}

/** A lane: entries from `head` on (an index, not `shift()`: a lane may hold a caller's 100,000 messages). */
class Lane<E> {
  items: E[] = [];
  head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  peek(): E | undefined {
    return this.items[this.head];
  }

  shift(): E {
    const entry = this.items[this.head]!;
    this.head += 1;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    return entry;
  }

  unshift(entry: E): void {
    if (this.head > 0) this.items[--this.head] = entry;
    else this.items.unshift(entry);
  }
}

export class SendLanes<E extends LaneEntry> {
  readonly #lanes = new Map<string, Lane<E>>();
  readonly #busy = new Set<string>();
  #waiting = 0;
  #waitingBytes = 0;

  /** @param ordered FIFO queue: per-group lanes, one batch in flight per group. */
  constructor(private readonly ordered: boolean) {}

  /** Messages not yet in a batch. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Whether what is waiting (outside busy lanes) fills a batch, so lingering for more would gain nothing. */
  full(limits: BatchLimits): boolean {
    if (this.#waiting >= limits.maxEntries && this.#busy.size === 0) return true;
    return this.#busy.size === 0 && this.#waitingBytes >= limits.maxBytes;
  }

  push(entry: E): void {
    this.#lane(entry).items.push(entry);
    this.#waiting += 1;
    this.#waitingBytes += entry.bytes;
  }

  /** Puts entries back at the front of their lanes, in their order (a retry goes before what followed it). */
  putBack(entries: readonly E[]): void {
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      const entry = entries[i]!;
      this.#lane(entry).unshift(entry);
      this.#waiting += 1;
      this.#waitingBytes += entry.bytes;
    }
  }

  /** A FIFO lane's batch landed (or its retry is back in the lane): its next batch may go. */
  landed(groups: readonly string[]): void {
    for (const group of groups) this.#busy.delete(group);
  }

  /** Marks lanes busy without a batch (their entries wait out a backoff outside the lanes). */
  hold(groups: readonly string[]): void {
    for (const group of groups) this.#busy.add(group);
  }

  /**
   * The next batch: up to `maxEntries` messages and `maxBytes`, lanes oldest first, on FIFO each lane's
   * head and what follows it. Messages over `maxMessageBytes` are taken out and returned in `refused`.
   */
  take(limits: BatchLimits): { batch: Batch<E>; refused: E[] } {
    const batch: Batch<E> = { entries: [], groups: [] };
    const refused: E[] = [];
    let bytes = 0;
    for (const [key, lane] of this.#lanes) {
      if (this.#busy.has(key)) continue;
      let took = false;
      while (lane.length > 0 && batch.entries.length < limits.maxEntries) {
        const head = lane.peek()!;
        if (head.bytes > limits.maxMessageBytes) {
          refused.push(this.#shift(lane));
          continue;
        }
        if (bytes + head.bytes > limits.maxBytes) break;
        batch.entries.push(this.#shift(lane));
        bytes += head.bytes;
        took = true;
      }
      if (lane.length === 0) this.#lanes.delete(key);
      if (took && this.ordered) {
        batch.groups.push(key);
        this.#busy.add(key);
      }
      if (batch.entries.length >= limits.maxEntries || (lane.length > 0 && !this.ordered)) break;
    }
    return { batch, refused };
  }

  /** Empties every lane (the sender stops): what was waiting. */
  drain(): E[] {
    const all = [...this.#lanes.values()].flatMap((lane) => lane.items.slice(lane.head));
    this.#lanes.clear();
    this.#waiting = 0;
    this.#waitingBytes = 0;
    return all;
  }

  #shift(lane: Lane<E>): E {
    const entry = lane.shift()!;
    this.#waiting -= 1;
    this.#waitingBytes -= entry.bytes;
    return entry;
  }

  #lane(entry: E): Lane<E> {
    const key = this.ordered ? (entry.group ?? "") : "";
    let lane = this.#lanes.get(key);
    if (lane === undefined) {
      lane = new Lane<E>();
      this.#lanes.set(key, lane);
    }
    return lane;
  }
}
