/**
 * The `ReceiveRequestAttemptId` of a FIFO poller: one id per receive, kept while that receive is
 * retried (by the SDK or after a backoff), so that a receive whose answer was lost returns the same
 * messages instead of leaving their groups held for a whole visibility timeout. SQS honours an id for
 * 5 minutes; a new one is drawn well before that.
 */
import { randomUUID } from "node:crypto";

const REUSE_MS = 4 * 60 * 1000;

export class ReceiveAttempt {
  #id: string | undefined;
  #since = 0;
  readonly #now: () => number;
  readonly #newId: () => string;

  constructor(now: () => number = Date.now, newId: () => string = randomUUID) {
    this.#now = now;
    this.#newId = newId;
  }

  /** The id for the next receive: the pending one while a failed receive is retried, else a new one. */
  current(): string {
    const now = this.#now();
    if (this.#id === undefined || now - this.#since > REUSE_MS) {
      this.#id = this.#newId();
      this.#since = now;
    }
    return this.#id;
  }

  /** The receive got an answer: the next one is a new attempt. */
  answered(): void {
    this.#id = undefined;
  }
}
