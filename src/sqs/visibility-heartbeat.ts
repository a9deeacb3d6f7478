/**
 * Keeps messages that are being handled invisible: one ticker for all of them, extending (with
 * `ChangeMessageVisibilityBatch`) each message whose visibility would otherwise be half gone by the
 * next tick. A fast handler never costs a call; a slow one costs one call per half visibility timeout.
 */
import { ChangeMessageVisibilityBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { chunk } from "./chunk.js";
import { classifyError, type ErrorKind } from "./classify-error.js";

interface Tracked {
  receiptHandle: string;
  /** When the current visibility window started (conservatively: when the request that set it was sent). */
  lastExtendedAt: number;
  extending: boolean;
  /** SQS said the receipt handle no longer works (deleted, expired): stop trying. */
  dead: boolean;
}

export interface VisibilityHeartbeatOptions {
  client: SQSClient;
  queueUrl: string;
  /** The `VisibilityTimeout` every extension sets, s. */
  visibilityTimeoutSeconds: number;
  /** Extend a message this long after its window started, ms (less than the visibility timeout). */
  intervalMs: number;
  onExtended(count: number): void;
  onError(error: unknown, kind: ErrorKind): void;
  now?: () => number;
}

/**
 * Whether a message must be extended at this tick: if waiting for the next tick would pass `intervalMs`.
 *
 * @example
 * ```ts
 * heartbeatDue(0, 8_000, 15_000, 7_500); // true: the next tick (15.5 s) would be past the interval
 * heartbeatDue(0, 7_000, 15_000, 7_500); // false: the next tick (14.5 s) is still in time
 * ```
 */
export function heartbeatDue(lastExtendedAt: number, now: number, intervalMs: number, tickMs: number): boolean {
  return now - lastExtendedAt + tickMs >= intervalMs;
}

/** Tick period: half the interval, so an extension always lands between half and all of it. */
export function heartbeatTickMs(intervalMs: number): number {
  return Math.max(50, Math.floor(intervalMs / 2));
}

export class VisibilityHeartbeat {
  readonly #o: VisibilityHeartbeatOptions;
  readonly #tracked = new Map<object, Tracked>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #tickMs: number;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: VisibilityHeartbeatOptions) {
    this.#o = options;
    this.#tickMs = heartbeatTickMs(options.intervalMs);
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#tracked.size;
  }

  track(key: object, receiptHandle: string, windowStartedAt: number): void {
    this.#tracked.set(key, { receiptHandle, lastExtendedAt: windowStartedAt, extending: false, dead: false });
  }

  untrack(key: object): void {
    this.#tracked.delete(key);
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#tick(), this.#tickMs);
    // Handlers keep the process busy while there is work; the heartbeat alone must not.
    this.#timer.unref();
  }

  /** Stops ticking and waits for extensions already sent. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([...this.#inFlight]);
  }

  #tick(): void {
    const now = this.#now();
    const due: Tracked[] = [];
    for (const entry of this.#tracked.values()) {
      if (!entry.extending && !entry.dead && heartbeatDue(entry.lastExtendedAt, now, this.#o.intervalMs, this.#tickMs)) due.push(entry);
    }
    for (const batch of chunk(due, 10)) {
      for (const entry of batch) entry.extending = true;
      const sending = this.#extend(batch, now).finally(() => {
        for (const entry of batch) entry.extending = false;
        this.#inFlight.delete(sending);
      });
      this.#inFlight.add(sending);
    }
  }

  async #extend(batch: Tracked[], sentAt: number): Promise<void> {
    try {
      const output = await this.#o.client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.#o.queueUrl,
          Entries: batch.map((entry, i) => ({
            Id: String(i),
            ReceiptHandle: entry.receiptHandle,
            VisibilityTimeout: this.#o.visibilityTimeoutSeconds,
          })),
        }),
      );
      let extended = 0;
      for (const success of output.Successful ?? []) {
        const entry = success.Id === undefined ? undefined : batch[Number(success.Id)];
        if (entry) {
          entry.lastExtendedAt = sentAt;
          extended += 1;
        }
      }
      for (const failure of output.Failed ?? []) {
        const entry = failure.Id === undefined ? undefined : batch[Number(failure.Id)];
        // A sender fault means the handle is stale (message deleted or visibility already lost).
        if (entry && failure.SenderFault) entry.dead = true;
      }
      if (extended > 0) this.#o.onExtended(extended);
    } catch (error) {
      // Retried at the next tick, which comes well before the visibility runs out.
      this.#o.onError(error, classifyError(error));
    }
  }
}
