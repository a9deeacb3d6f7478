/**
 * Batches deletes of handled messages into `DeleteMessageBatch` calls: flushed when 10 are waiting or
 * after a short delay, several batches in flight at once, failed entries retried with backoff.
 * An entry SQS rejects as the sender's fault (a stale receipt handle) is given up at once: the message
 * will be delivered again, which retrying cannot prevent.
 */
import { DeleteMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { backoffDelayMs, type BackoffPolicy } from "./backoff.js";
import { chunk } from "./chunk.js";
import { classifyError, type ErrorKind } from "./classify-error.js";

const MAX_BATCH = 10;

export interface DeleteEntry {
  receiptHandle: string;
  /** Failed attempts so far. */
  attempts: number;
}

export interface DeleteBatcherOptions<E extends DeleteEntry> {
  client: SQSClient;
  queueUrl: string;
  /** Longest an entry waits for 9 others before its batch is sent anyway, ms. */
  flushDelayMs: number;
  /** Attempts per entry before it is given up. */
  maxAttempts: number;
  /** Batches in flight at once. */
  maxInFlight: number;
  backoff: BackoffPolicy;
  onDeleted(entry: E): void;
  onGiveUp(entry: E, reason: unknown): void;
  /** A whole call failed (or some entries did); `delayMs` is when they are retried, if they are. */
  onError(error: unknown, kind: ErrorKind, delayMs: number | undefined): void;
}

export class DeleteBatcher<E extends DeleteEntry> {
  readonly #o: DeleteBatcherOptions<E>;
  #queue: E[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #inFlight = new Set<Promise<void>>();
  /** Entries waiting out a backoff, with their timers, so close() can cut the wait short. */
  readonly #retrying = new Map<NodeJS.Timeout, E[]>();
  #closing = false;
  #closed = false;
  #deadline = Infinity;
  #idleWaiters: (() => void)[] = [];

  constructor(options: DeleteBatcherOptions<E>) {
    this.#o = options;
  }

  add(entry: E): void {
    if (this.#closed || (this.#closing && Date.now() >= this.#deadline)) {
      this.#o.onGiveUp(entry, new Error("the consumer has stopped; the message was not deleted and will be delivered again"));
      return;
    }
    this.#queue.push(entry);
    this.#pump();
  }

  /**
   * Sends everything still queued, waits for it, and gives up entries still failing at `deadline`
   * (epoch ms). Resolves when nothing is pending.
   */
  async close(deadline: number): Promise<void> {
    this.#closing = true;
    this.#deadline = deadline;
    // Ref'd on purpose, like the retry timers: a stopping consumer must not let the process exit mid-flush.
    const cutoff = setTimeout(() => this.#abandonRetries(), Math.max(0, deadline - Date.now()));
    this.#pump();
    await new Promise<void>((resolve) => {
      this.#idleWaiters.push(resolve);
      this.#checkIdle();
    });
    clearTimeout(cutoff);
  }

  #pump(): void {
    const full = this.#queue.length >= MAX_BATCH;
    if (full || this.#closing) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      while (this.#queue.length > 0 && this.#inFlight.size < this.#o.maxInFlight) {
        // Not closing, a batch just sent: the remainder waits for 10 or the flush timer.
        if (this.#queue.length < MAX_BATCH && !this.#closing) break;
        this.#startBatch(this.#queue.splice(0, MAX_BATCH));
      }
    }
    if (this.#queue.length > 0 && !this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        const batches = chunk(this.#queue.splice(0, this.#queue.length), MAX_BATCH);
        // A timed flush sends even past maxInFlight: the delay already bounded how long entries waited.
        for (const batch of batches) this.#startBatch(batch);
      }, this.#o.flushDelayMs);
    }
    this.#checkIdle();
  }

  #startBatch(batch: E[]): void {
    const sending = this.#send(batch).finally(() => {
      this.#inFlight.delete(sending);
      this.#pump();
    });
    this.#inFlight.add(sending);
  }

  async #send(batch: E[]): Promise<void> {
    let output;
    try {
      output = await this.#o.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.#o.queueUrl,
          Entries: batch.map((entry, i) => ({ Id: String(i), ReceiptHandle: entry.receiptHandle })),
        }),
      );
    } catch (error) {
      const kind = classifyError(error);
      if (kind === "fatal") {
        this.#o.onError(error, kind, undefined);
        for (const entry of batch) this.#o.onGiveUp(entry, error);
      } else {
        this.#retry(batch, error, kind);
      }
      return;
    }
    const failedIds = new Set<string>();
    const retry: E[] = [];
    let firstRetryable: unknown;
    for (const failure of output.Failed ?? []) {
      const entry = failure.Id === undefined ? undefined : batch[Number(failure.Id)];
      if (!entry || failure.Id === undefined) continue;
      failedIds.add(failure.Id);
      const reason = Object.assign(new Error(failure.Message ?? "DeleteMessageBatch entry failed"), { name: failure.Code ?? "BatchEntryFailed" });
      if (failure.SenderFault) {
        this.#o.onGiveUp(entry, reason);
      } else {
        retry.push(entry);
        firstRetryable ??= reason;
      }
    }
    batch.forEach((entry, i) => {
      if (!failedIds.has(String(i))) this.#o.onDeleted(entry);
    });
    if (retry.length > 0) this.#retry(retry, firstRetryable, "transient");
  }

  #retry(entries: E[], error: unknown, kind: ErrorKind): void {
    const again: E[] = [];
    for (const entry of entries) {
      entry.attempts += 1;
      if (entry.attempts >= this.#o.maxAttempts) this.#o.onGiveUp(entry, error);
      else again.push(entry);
    }
    if (again.length === 0) {
      this.#o.onError(error, kind, undefined);
      return;
    }
    const attempt = Math.max(...again.map((e) => e.attempts)) - 1;
    let delayMs = backoffDelayMs(attempt, this.#o.backoff);
    // Not past close()'s deadline (Infinity until close() is called).
    delayMs = Math.min(delayMs, Math.max(0, this.#deadline - Date.now()));
    this.#o.onError(error, kind, delayMs);
    const timer = setTimeout(() => {
      this.#retrying.delete(timer);
      if (this.#closing && Date.now() >= this.#deadline) {
        for (const entry of again) this.#o.onGiveUp(entry, error);
      } else {
        this.#queue.push(...again);
      }
      this.#pump();
    }, delayMs);
    this.#retrying.set(timer, again);
  }

  #abandonRetries(): void {
    for (const [timer, entries] of this.#retrying) {
      clearTimeout(timer);
      this.#retrying.delete(timer);
      for (const entry of entries) this.#o.onGiveUp(entry, new Error("stop timeout reached before the delete could be retried"));
    }
    this.#checkIdle();
  }

  #checkIdle(): void {
    // Only close() adds waiters, so a waiter means closing.
    if (this.#idleWaiters.length === 0) return;
    if (this.#queue.length === 0 && this.#inFlight.size === 0 && this.#retrying.size === 0 && !this.#timer) {
      // Closed in the same turn it goes idle: an add() queued before close()'s caller resumes is given up,
      // not sent after close() resolved.
      this.#closed = true;
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
