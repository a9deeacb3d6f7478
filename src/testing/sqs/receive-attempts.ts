/**
 * `ReceiveRequestAttemptId` on FIFO queues: a `ReceiveMessage` retried with the same attempt id within
 * 5 minutes gets the same messages with the same receipt handles (their visibility timeout starts
 * again), as long as none of them was deleted or had its visibility changed since. That is how a
 * consumer whose response was lost avoids holding the message groups for a whole visibility timeout.
 */
import type { QueueMessage, ReceivedMessage } from "./queue-message.js";

const ATTEMPT_WINDOW_MS = 5 * 60 * 1000;

interface Attempt {
  expiresAt: number;
  received: ReceivedMessage[];
  /** Each message's `version` right after this attempt set its visibility. */
  versions: number[];
}

export class ReceiveAttempts {
  readonly #attempts = new Map<string, Attempt>();

  /** The messages a previous attempt with this id received, if they are all still untouched. */
  replay(attemptId: string, now: number): ReceivedMessage[] | undefined {
    for (const [id, attempt] of this.#attempts) {
      if (attempt.expiresAt > now) break;
      this.#attempts.delete(id);
    }
    const attempt = this.#attempts.get(attemptId);
    if (attempt === undefined) return undefined;
    const untouched = attempt.received.every(
      (r, i) => r.message.state === "inflight" && r.message.version === attempt.versions[i] && r.message.receiveCount === r.receiveCount,
    );
    if (!untouched) {
      this.#attempts.delete(attemptId);
      return undefined;
    }
    return attempt.received;
  }

  /** Records what an attempt received (nothing is recorded for an empty receive). */
  record(attemptId: string, received: ReceivedMessage[], now: number): void {
    if (received.length === 0) return;
    this.#attempts.delete(attemptId);
    this.#attempts.set(attemptId, { expiresAt: now + ATTEMPT_WINDOW_MS, received, versions: received.map((r) => r.message.version) });
  }

  /** After a replay restarted the visibility timeouts: the new versions are the untouched ones. */
  refreshed(attemptId: string, messages: readonly QueueMessage[]): void {
    const attempt = this.#attempts.get(attemptId);
    if (attempt !== undefined) attempt.versions = messages.map((m) => m.version);
  }

  clear(): void {
    this.#attempts.clear();
  }
}
