/** `consume`'s live counts: the public shape, and the zeros a consumer starts from. */

/** Live counts; read them at any time (they are updated in place). */
export interface ConsumeCounters {
  /** `ReceiveMessage` calls sent. */
  polls: number;
  /** Polls that returned no message. */
  emptyPolls: number;
  /** Polls that failed (and were retried after a backoff, unless fatal). */
  receiveErrors: number;
  /** Messages received. */
  received: number;
  /** Handlers that succeeded. */
  processed: number;
  /** Handlers that failed (message left for redelivery). */
  failed: number;
  /** Messages deleted after success. */
  deleted: number;
  /** Handled messages whose delete was given up (they will be delivered again). */
  deleteFailures: number;
  /** Visibility extensions sent by the heartbeat (one per message). */
  visibilityExtensions: number;
  /** Messages being handled right now. */
  inFlight: number;
  /** Handlers still running when `stopTimeoutMs` ran out. */
  abandoned: number;
  /**
   * Messages made visible again unhandled: they arrived while stopping, or (FIFO) they were behind a
   * failed message of their group, or waiting for their turn when `stop()` was called.
   */
  released: number;
  /**
   * `maxConcurrencyPerGroup`: messages of a group over its cap received while `concurrency` others
   * already waited; let go without a call, they come back when their visibility timeout runs out.
   */
  deferred: number;
}

/** A consumer's counters before its first poll. */
export function zeroCounters(): ConsumeCounters {
  return {
    polls: 0,
    emptyPolls: 0,
    receiveErrors: 0,
    received: 0,
    processed: 0,
    failed: 0,
    deleted: 0,
    deleteFailures: 0,
    visibilityExtensions: 0,
    inFlight: 0,
    abandoned: 0,
    released: 0,
    deferred: 0,
  };
}
