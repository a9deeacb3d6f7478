/**
 * The engine behind `sendMessages` and `createBatchSender`: packs waiting messages into
 * `SendMessageBatch` calls ({@link SendLanes} decides which), keeps a bounded number of calls in flight,
 * retries only the entries that failed for SQS's reasons (after a backoff, before anything that followed
 * them in their FIFO group), and settles one result per message. Its timers (linger, backoff) are short
 * and not unref'd on purpose: a caller awaiting a result must not see the process exit under it.
 */
import {
  SendMessageBatchCommand,
  type MessageAttributeValue,
  type MessageSystemAttributeValue,
  type SendMessageBatchCommandOutput,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { setMaxListeners } from "node:events";
import type { Logger } from "../shared/logger.js";
import type { TelemetryOption } from "../telemetry/options.js";
import { backoffDelayMs, type BackoffPolicy } from "./backoff.js";
import { describeError, errorCodes } from "./classify-error.js";
import { SQS_MAX_BATCH_BYTES, SQS_MAX_BATCH_ENTRIES, sqsMessageBytes } from "./message-size.js";
import { retryableCall, retryableEntry, SendMessageError } from "./send-error.js";
import { SendLanes, type Batch, type BatchLimits, type LaneEntry } from "./send-lanes.js";
import { injectTraceContext } from "./trace-context.js";

/** One message to send: a `SendMessage` input without `QueueUrl`. */
export interface SendMessageEntry {
  MessageBody: string;
  MessageAttributes?: Record<string, MessageAttributeValue>;
  MessageSystemAttributes?: Record<string, MessageSystemAttributeValue>;
  /** FIFO queues: the group whose order is kept. Standard (fair) queues: the tenant. */
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
  DelaySeconds?: number;
}

/** The outcome of one message: sent (SQS's id, and on FIFO its sequence number), or why not. */
export type SendMessageResult = { ok: true; messageId: string; sequenceNumber?: string } | { ok: false; error: SendMessageError };

export interface SendEngineOptions {
  client: SQSClient;
  queueUrl: string;
  fifo: boolean;
  /** The queue's largest message, bytes (or its read, which may take a moment). */
  maxMessageBytes: number | Promise<number>;
  maxInFlight: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  /** How long a message may wait for others to fill its batch, ms (0: send what is there at once). */
  lingerMs: number;
  telemetry: TelemetryOption | undefined;
  logger: Logger;
  signal?: AbortSignal;
}

interface Pending extends LaneEntry {
  seq: number;
  input: SendMessageEntry;
  attempts: number;
  settle(result: SendMessageResult): void;
}

/** Counts of a sender, updated in place. */
export interface SendStats {
  /** `SendMessageBatch` calls made (including failed ones). */
  calls: number;
  /** Messages SQS accepted. */
  sent: number;
  /** Messages given up (their result has `ok: false`). */
  failed: number;
  /** Entries sent again after a retryable failure. */
  retried: number;
}

export class SendEngine {
  readonly stats: SendStats = { calls: 0, sent: 0, failed: 0, retried: 0 };
  readonly #o: SendEngineOptions;
  readonly #lanes: SendLanes<Pending>;
  #limits: BatchLimits | undefined;
  #inFlight = 0;
  #unsettled = 0;
  #seq = 0;
  /** Send partial batches now: the linger ran out, or flush()/close() asked. Cleared once nothing waits. */
  #draining = false;
  #lingerTimer: NodeJS.Timeout | undefined;
  readonly #retries = new Map<NodeJS.Timeout, { entries: Pending[]; groups: string[] }>();
  readonly #calls = new AbortController();
  #idle: (() => void)[] = [];

  constructor(options: SendEngineOptions) {
    this.#o = options;
    this.#lanes = new SendLanes<Pending>(options.fifo);
    // Every call in flight listens on this one signal (up to maxInFlight): not a leak.
    setMaxListeners(options.maxInFlight + 10, this.#calls.signal);
    const limits = (maxMessageBytes: number): BatchLimits => ({
      maxEntries: SQS_MAX_BATCH_ENTRIES,
      // SQS limits a batch to 1 MiB; the fake (and, conservatively, we) also to the queue's own limit.
      maxBytes: Math.min(SQS_MAX_BATCH_BYTES, maxMessageBytes),
      maxMessageBytes,
    });
    if (typeof options.maxMessageBytes === "number") this.#limits = limits(options.maxMessageBytes);
    else {
      void options.maxMessageBytes.then((bytes) => {
        this.#limits = limits(bytes);
        this.#pump();
      });
    }
    options.signal?.addEventListener("abort", () => this.abort(new SendMessageError("the send was aborted", "Aborted", 0)), { once: true });
  }

  /** Queues one message; resolves with its result (never rejects). */
  add(input: SendMessageEntry): Promise<SendMessageResult> {
    const result = this.#enqueue(input);
    this.#pump();
    return result;
  }

  /** Queues all of them before the first batch is packed (so the first batches are full), then sends without lingering. */
  addAll(inputs: readonly SendMessageEntry[]): Promise<SendMessageResult>[] {
    const results = inputs.map((input) => this.#enqueue(input));
    this.#draining = true;
    this.#pump();
    return results;
  }

  #enqueue(input: SendMessageEntry): Promise<SendMessageResult> {
    return new Promise<SendMessageResult>((resolve) => {
      const seq = this.#seq++;
      this.#unsettled += 1;
      const settle = (result: SendMessageResult): void => {
        if (result.ok) this.stats.sent += 1;
        else this.stats.failed += 1;
        resolve(result);
        this.#unsettled -= 1;
        if (this.#unsettled === 0) for (const wake of this.#idle.splice(0)) wake();
      };
      if (this.#o.signal?.aborted) {
        settle({ ok: false, error: new SendMessageError("the send was aborted", "Aborted", 0) });
        return;
      }
      const withTrace = this.#withTrace(input);
      this.#lanes.push({
        seq,
        input: withTrace,
        attempts: 0,
        bytes: sqsMessageBytes(String(withTrace.MessageBody ?? ""), withTrace.MessageAttributes),
        group: withTrace.MessageGroupId,
        settle,
      });
    });
  }

  /** Sends what waits without lingering; resolves when every message added so far has its result. */
  flush(): Promise<void> {
    this.#draining = true;
    this.#pump();
    if (this.#unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Settles everything not yet sent with `error`, aborts calls in flight (their messages may or may not have landed). */
  abort(error: SendMessageError): void {
    clearTimeout(this.#lingerTimer);
    for (const [timer, { entries }] of this.#retries) {
      clearTimeout(timer);
      for (const entry of entries) entry.settle({ ok: false, error: new SendMessageError(error.message, error.code, entry.attempts) });
    }
    this.#retries.clear();
    for (const entry of this.#lanes.drain()) entry.settle({ ok: false, error: new SendMessageError(error.message, error.code, entry.attempts) });
    this.#calls.abort();
  }

  #withTrace(input: SendMessageEntry): SendMessageEntry {
    if (this.#o.telemetry === false) return input;
    const { messageAttributes, added } = injectTraceContext(input.MessageAttributes, { telemetry: this.#o.telemetry, logger: this.#o.logger });
    return added.length === 0 ? input : { ...input, MessageAttributes: messageAttributes };
  }

  #pump(): void {
    const limits = this.#limits;
    if (limits === undefined || this.#calls.signal.aborted) return;
    while (this.#inFlight < this.#o.maxInFlight && this.#lanes.waiting > 0) {
      if (!this.#draining && this.#o.lingerMs > 0 && !this.#lanes.full(limits)) break;
      const { batch, refused } = this.#lanes.take(limits);
      for (const entry of refused) {
        entry.settle({
          ok: false,
          error: new SendMessageError(
            `message ${entry.seq} is ${entry.bytes} bytes (body and attributes), over the queue's limit of ${limits.maxMessageBytes}: ` +
              "store the payload elsewhere (e.g. S3) and send a reference, or raise the queue's MaximumMessageSize",
            "MessageTooLarge",
            0,
          ),
        });
      }
      if (batch.entries.length === 0) {
        if (refused.length > 0) continue;
        break; // everything waiting is in a busy FIFO group
      }
      this.#inFlight += 1;
      void this.#send(batch, limits).finally(() => {
        this.#inFlight -= 1;
        this.#pump();
      });
    }
    if (this.#lanes.waiting === 0) this.#draining = false;
    else if (!this.#draining && this.#lingerTimer === undefined && this.#o.lingerMs > 0) {
      this.#lingerTimer = setTimeout(() => {
        this.#lingerTimer = undefined;
        this.#draining = true;
        this.#pump();
      }, this.#o.lingerMs);
    }
  }

  async #send(batch: Batch<Pending>, limits: BatchLimits): Promise<void> {
    const { entries, groups } = batch;
    for (const entry of entries) entry.attempts += 1;
    this.stats.calls += 1;
    let out: SendMessageBatchCommandOutput;
    try {
      out = await this.#o.client.send(
        new SendMessageBatchCommand({ QueueUrl: this.#o.queueUrl, Entries: entries.map((e, i) => ({ ...e.input, Id: String(i) })) }),
        { abortSignal: this.#calls.signal },
      );
    } catch (error) {
      if (this.#calls.signal.aborted) {
        for (const entry of entries) entry.settle({ ok: false, error: new SendMessageError("the send was aborted", "Aborted", entry.attempts, { cause: error }) });
        return;
      }
      if (errorCodes(error).includes("BatchRequestTooLong") && entries.length > 1) {
        // SQS counts the batch larger than we did: halve the byte budget (never below a message that
        // fits on its own) and send these again, uncounted.
        limits.maxBytes = Math.max(limits.maxMessageBytes, Math.floor(limits.maxBytes / 2));
        for (const entry of entries) entry.attempts -= 1;
        this.#retry(entries, groups, 0);
        return;
      }
      this.#failedAll(entries, groups, error);
      return;
    }
    const byId = new Map(entries.map((e, i) => [String(i), e]));
    const landed = new Set<Pending>();
    for (const ok of out.Successful ?? []) {
      const entry = byId.get(ok.Id ?? "");
      if (entry === undefined) continue;
      byId.delete(ok.Id!);
      landed.add(entry);
      entry.settle(ok.SequenceNumber === undefined ? { ok: true, messageId: ok.MessageId ?? "" } : { ok: true, messageId: ok.MessageId ?? "", sequenceNumber: ok.SequenceNumber });
    }
    const again: Pending[] = [];
    for (const failed of out.Failed ?? []) {
      const entry = byId.get(failed.Id ?? "");
      if (entry === undefined) continue;
      byId.delete(failed.Id!);
      const code = failed.Code ?? "InternalError";
      if (retryableEntry(failed) && entry.attempts < this.#o.maxAttempts) again.push(entry);
      else {
        const error = new SendMessageError(`SQS refused message ${entry.seq}: ${code}: ${failed.Message ?? ""}`.trim(), code, entry.attempts);
        entry.settle({ ok: false, error });
      }
    }
    // An entry the answer does not mention: sent or not, unknown; again (a FIFO deduplication id makes it safe).
    for (const entry of byId.values()) again.push(entry);
    if (again.length === 0) {
      this.#lanes.landed(groups);
      return;
    }
    again.sort((a, b) => a.seq - b.seq);
    if (this.#o.fifo) this.#warnOvertaken(entries, again, landed);
    const retryGroups = this.#o.fifo ? [...new Set(again.map((e) => e.group ?? ""))] : [];
    this.#lanes.landed(groups.filter((g) => !retryGroups.includes(g)));
    const attempt = Math.max(...again.map((e) => e.attempts));
    this.#o.logger.debug(`awscreds/sqs: ${again.length} of ${entries.length} entries of a SendMessageBatch failed for SQS's reasons; sending them again`);
    this.#retry(again, retryGroups, backoffDelayMs(attempt - 1, this.#o.backoff));
  }

  /**
   * FIFO: SQS failed an entry but accepted a later one of the same group in the same call (AWS does not
   * say it can; if it does, the retry lands after it). Said, since nothing can undo it.
   */
  #warnOvertaken(entries: Pending[], again: Pending[], landed: Set<Pending>): void {
    for (const entry of again) {
      const overtaken = entries.some((e, j) => j > entries.indexOf(entry) && e.group === entry.group && landed.has(e));
      if (!overtaken) continue;
      this.#o.logger.warn(
        `awscreds/sqs: SQS failed message ${entry.seq} of a FIFO group but accepted a later message of that group in the same batch; ` +
          "the retry lands after it, out of order (send such a group's messages one per batch if that matters)",
      );
      return;
    }
  }

  #failedAll(entries: Pending[], groups: string[], error: unknown): void {
    const attempts = Math.max(...entries.map((e) => e.attempts));
    if (retryableCall(error) && attempts < this.#o.maxAttempts) {
      const delayMs = backoffDelayMs(attempts - 1, this.#o.backoff);
      this.#o.logger.warn(`awscreds/sqs: SendMessageBatch failed, retrying ${entries.length} message(s) in ${delayMs} ms: ${describeError(error)}`);
      this.#retry(entries, groups, delayMs);
      return;
    }
    this.#lanes.landed(groups);
    const code = errorCodes(error)[0] ?? "Error";
    for (const entry of entries) {
      entry.settle({ ok: false, error: new SendMessageError(`SendMessageBatch failed: ${describeError(error)}`, code, entry.attempts, { cause: error }) });
    }
  }

  /** Entries back into their lanes after `delayMs`; their FIFO groups stay busy until then. */
  #retry(entries: Pending[], groups: string[], delayMs: number): void {
    this.stats.retried += entries.length;
    this.#lanes.hold(groups);
    const timer = setTimeout(() => {
      this.#retries.delete(timer);
      this.#lanes.putBack(entries);
      this.#lanes.landed(groups);
      // They waited their linger already.
      this.#draining = true;
      this.#pump();
    }, delayMs);
    this.#retries.set(timer, { entries, groups });
  }
}
