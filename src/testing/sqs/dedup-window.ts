/**
 * The 5-minute deduplication window of a FIFO queue: a message whose deduplication id (scoped to the
 * queue, or to its message group with `DeduplicationScope=messageGroup`) was accepted less than 5
 * minutes ago is acknowledged again, with the first one's message id and sequence number, and not
 * enqueued. The window runs from the first send and is not extended by duplicates; SQS keeps tracking
 * an id after its message was received and deleted.
 */
export const DEDUP_WINDOW_MS = 5 * 60 * 1000;

export interface FirstSend {
  messageId: string;
  sequenceNumber: string;
}

export class DedupWindow {
  /** Insertion order is expiry order: every entry lives exactly DEDUP_WINDOW_MS. */
  readonly #seen = new Map<string, FirstSend & { expiresAt: number }>();

  /** The key an id is tracked under, for the queue's `DeduplicationScope`. */
  static key(dedupId: string, groupId: string, scope: string | undefined): string {
    return scope === "messageGroup" ? `${groupId}\n${dedupId}` : dedupId;
  }

  /** The first send of `key` if it is still inside its window. */
  duplicateOf(key: string, now: number): FirstSend | undefined {
    this.#expire(now);
    return this.#seen.get(key);
  }

  remember(key: string, first: FirstSend, now: number): void {
    this.#seen.set(key, { ...first, expiresAt: now + DEDUP_WINDOW_MS });
  }

  clear(): void {
    this.#seen.clear();
  }

  #expire(now: number): void {
    for (const [key, entry] of this.#seen) {
      if (entry.expiresAt > now) break;
      this.#seen.delete(key);
    }
  }
}
