/**
 * Options of `consume`, their defaults and checks: pure, so every rule is testable without SQS.
 */
import type { Message, SQSClient } from "@aws-sdk/client-sqs";
import type { Logger } from "../shared/logger.js";
import type { TelemetryOption } from "../telemetry/options.js";
import { resolveBackoff, type BackoffPolicy } from "./backoff.js";
import type { ErrorKind } from "./classify-error.js";
import type { MessageRate } from "./receive-rate.js";
import { isFifoQueueUrl } from "./fifo-groups.js";
import { SQS_MAX_WAIT_TIME_SECONDS } from "./long-poll-timeout.js";
import { SQS_MAX_MESSAGES_PER_RECEIVE, validateReceiveOptions, type ReceiveOptions } from "./receive-options.js";

export interface MessageHandlerContext {
  /**
   * Aborted when `stop()` has waited `stopTimeoutMs` for this handler: give up and return. Whatever the
   * handler does after that, its message is neither deleted nor released: it is delivered again once its
   * visibility timeout runs out.
   */
  signal: AbortSignal;
}

/** Handles one message; resolving means done (the message is deleted), throwing means failed (redelivered). */
export type MessageHandler = (message: Message, context: MessageHandlerContext) => unknown;

/** Partial success of a batch, in the shape AWS Lambda uses for SQS batches. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * Handles the messages of one receive. Resolving with nothing means all succeeded; resolving with
 * `{ batchItemFailures: [{ itemIdentifier: messageId }] }` fails those; throwing fails them all.
 */
export type BatchHandler = (messages: Message[], context: MessageHandlerContext) => unknown;

export interface FailedMessageInfo {
  message: Message;
  error: unknown;
  /** From the `ApproximateReceiveCount` system attribute, when it was requested. */
  receiveCount: number | undefined;
}

export type ConsumeOperation =
  | "ReceiveMessage"
  | "DeleteMessageBatch"
  | "ChangeMessageVisibilityBatch"
  | "ChangeMessageVisibility"
  | "callback";

export interface ConsumeErrorContext {
  operation: ConsumeOperation;
  kind: ErrorKind;
  /** When the failed call is retried, ms from now (absent when it is not). */
  delayMs?: number;
}

export interface ConsumeOptions extends ReceiveOptions {
  /** The ordinary SQS client: deletes and visibility changes go through it, with its own timeouts. */
  client: SQSClient;
  /** The client for `ReceiveMessage`. Default: `createLongPollingClient(client, { pollers })`, destroyed on stop. */
  pollingClient?: SQSClient;
  queueUrl: string;
  /** Per-message handler. Exactly one of `handler` and `batchHandler`. */
  handler?: MessageHandler;
  /** Per-receive batch handler. */
  batchHandler?: BatchHandler;
  /**
   * Most messages in hand at once. Every message in hand is being handled (none wait in a buffer), so
   * none can sit out its visibility timeout unattended. Default 10.
   */
  concurrency?: number;
  /** Seconds of invisibility per receive and per heartbeat, at least 1. Default 30. */
  VisibilityTimeout?: number;
  /** Extend a message's visibility this often while its handler runs, s. Default `VisibilityTimeout / 2`. */
  heartbeatIntervalSeconds?: number;
  /**
   * After a handler fails, set the message's visibility to this many seconds (0 = redeliver now), or
   * to what the function returns (e.g. an exponential backoff on `receiveCount`). Default: leave it,
   * so the message returns when its current visibility runs out.
   */
  failureVisibilityTimeout?: number | ((failure: FailedMessageInfo) => number);
  /** Longest a handled message waits for others to share a `DeleteMessageBatch`, ms. Default 50. */
  deleteFlushDelayMs?: number;
  /**
   * How long `stop()` lets running handlers finish before aborting their signal, ms. Default 25_000:
   * below the 30 s that Kubernetes (`terminationGracePeriodSeconds`) and ECS (`stopTimeout`) give a
   * process between SIGTERM and SIGKILL, leaving ~5 s for the final deletes and the rest of shutdown.
   * Raise the platform's grace period before raising this. Handlers still running then are abandoned:
   * their messages are left for redelivery (never deleted later), so `stop()` never resolves with an SQS
   * call still to come.
   */
  stopTimeoutMs?: number;
  /**
   * How long `stop()` then spends deleting handled messages, ms. Default 4_000, so that with the default
   * `stopTimeoutMs` a stop ends within 29 s, inside a 30 s termination grace period.
   */
  deleteFlushTimeoutMs?: number;
  /** Backoff after credential, throttling and transient errors. Default 500 ms doubling to 20 s, with jitter. */
  backoff?: Partial<BackoffPolicy>;
  /**
   * FIFO handling: the messages of one message group one at a time in receive order, different groups
   * in parallel (up to `concurrency`); when one fails, the rest of its group in hand is released in
   * order, not handled; a `batchHandler` gets one group's messages per call. Default: true when the
   * queue URL ends in `.fifo`.
   */
  fifo?: boolean;
  /**
   * Most messages started per second, across all pollers: a number, or a function asked before every
   * receive (lower it when a downstream answers 429; 0 pauses). A receive asks only for the messages
   * that can start within the rate, so nothing received waits for the limiter (and no visibility is
   * spent waiting); messages in hand keep their heartbeats, and `stop()` never waits on the limiter.
   * Up to one receive's worth (≤ 10 messages) may start at once after a quiet spell. Default: no limit.
   */
  maxMessagesPerSecond?: MessageRate;
  /**
   * Standard queues (SQS fair queues, where `MessageGroupId` marks the tenant): at most this many
   * messages of one group run at once, so one noisy tenant cannot take every slot of this replica.
   * A group's surplus is held briefly, not released: it waits in hand (kept invisible by the heartbeat,
   * not taking a handler slot) and starts as soon as one of its own finishes, so polling goes on for
   * the other tenants (whose messages SQS's fair ordering puts first). At most `concurrency` messages
   * wait; a surplus beyond that is deferred without a call (`counters.deferred`): it comes back when
   * its visibility timeout runs out, one more receive on its count — allow for it in a DLQ's
   * `maxReceiveCount`. Messages without a group are not capped. Only with `handler`, not on FIFO queues
   * (they run one message per group already). Default: no cap.
   */
  maxConcurrencyPerGroup?: number;
  /** Aborting it is the same as calling `stop()`. */
  signal?: AbortSignal;
  logger?: Logger;
  /** SQS call errors (polls, deletes, heartbeats) and throwing callbacks. Handler errors go to `onFailed`. */
  onError?: (error: unknown, context: ConsumeErrorContext) => void;
  /** A handler succeeded (the delete follows, batched). */
  onProcessed?: (message: Message) => void;
  /** A handler failed; the message is left for redelivery. */
  onFailed?: (message: Message, error: unknown) => void;
  /**
   * OpenTelemetry reporting, after the messaging conventions: a CONSUMER span `process <queue>` per
   * handled message (per call of a `batchHandler`, linked to each message's producer), whose parent is the
   * producer's context from the `traceparent` message attribute or the `AWSTraceHeader` system attribute
   * (requested from SQS when the attribute lists were narrowed), with the handler running inside it, so
   * spans it starts nest under it; `messaging.client.consumed.messages` and `messaging.process.duration`
   * (`messaging.system` = `aws_sqs`, `messaging.destination.name` = the queue, `error.type` when the handler
   * threw). To the global providers when `@opentelemetry/api` is installed (default), to
   * `{ meterProvider, tracerProvider }` when given, nowhere with `false` (the API is then never loaded).
   */
  telemetry?: TelemetryOption;
}

export interface ResolvedConsumeOptions {
  concurrency: number;
  WaitTimeSeconds: number;
  VisibilityTimeout: number;
  MaxNumberOfMessages: number;
  heartbeatIntervalMs: number;
  deleteFlushDelayMs: number;
  stopTimeoutMs: number;
  deleteFlushTimeoutMs: number;
  backoff: BackoffPolicy;
  /** Slots of each poller; their sum is `concurrency`. */
  pollerShares: number[];
  fifo: boolean;
  maxConcurrencyPerGroup: number | undefined;
}

/**
 * `stopTimeoutMs` by default: under the 30 s termination grace period of Kubernetes and ECS, so handlers
 * are given up (and their messages left for redelivery) before the platform's SIGKILL, with time left for
 * deletes (bounded by `deleteFlushTimeoutMs`) — wire `process.once("SIGTERM", () => void consumer.stop())`.
 */
export const DEFAULT_STOP_TIMEOUT_MS = 25_000;
/** `deleteFlushTimeoutMs` by default: 25 s + 4 s stays under the 30 s grace period. */
export const DEFAULT_DELETE_FLUSH_TIMEOUT_MS = 4_000;

/** Long polls run concurrently at most; more would only hold sockets without adding throughput. */
export const MAX_POLLERS = 10;

function nonNegativeMs(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`consume: ${name} must be a non-negative number of ms, got ${v}`);
  return v;
}

/**
 * Splits `concurrency` slots among pollers: one poller per `maxPerReceive` slots, at most {@link MAX_POLLERS}.
 *
 * @example
 * ```ts
 * splitConcurrency(25, 10); // [9, 8, 8]
 * ```
 */
export function splitConcurrency(concurrency: number, maxPerReceive: number): number[] {
  const pollers = Math.min(MAX_POLLERS, Math.max(1, Math.ceil(concurrency / maxPerReceive)));
  const base = Math.floor(concurrency / pollers);
  return Array.from({ length: pollers }, (_, i) => base + (i < concurrency % pollers ? 1 : 0));
}

/**
 * Checks `consume` options and fills in defaults; throws a `TypeError`/`RangeError` naming the option.
 *
 * @example
 * ```ts
 * resolveConsumeOptions({ client, queueUrl, handler, concurrency: 20 }).pollerShares; // [10, 10]
 * ```
 */
export function resolveConsumeOptions(options: ConsumeOptions): ResolvedConsumeOptions {
  if (!options || typeof options !== "object") throw new TypeError("consume: options are required");
  if (!options.client || typeof options.client.send !== "function") throw new TypeError("consume: client (an SQSClient) is required");
  if (typeof options.queueUrl !== "string" || options.queueUrl === "") throw new TypeError("consume: queueUrl is required");
  const handlers = [options.handler, options.batchHandler].filter((h) => h !== undefined);
  if (handlers.length !== 1 || typeof handlers[0] !== "function") {
    throw new TypeError("consume: pass exactly one of handler (per message) and batchHandler (per receive)");
  }
  validateReceiveOptions("consume", options);
  const concurrency = options.concurrency ?? 10;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`consume: concurrency must be a positive integer, got ${concurrency}`);
  const VisibilityTimeout = options.VisibilityTimeout ?? 30;
  if (VisibilityTimeout < 1) {
    throw new RangeError("consume: VisibilityTimeout must be at least 1 s; with 0, messages would be visible to others while being handled");
  }
  const heartbeatSeconds = options.heartbeatIntervalSeconds ?? VisibilityTimeout / 2;
  if (!Number.isFinite(heartbeatSeconds) || heartbeatSeconds <= 0 || heartbeatSeconds >= VisibilityTimeout) {
    throw new RangeError(
      `consume: heartbeatIntervalSeconds must be > 0 and < VisibilityTimeout (${VisibilityTimeout}), got ${heartbeatSeconds}`,
    );
  }
  const fvt = options.failureVisibilityTimeout;
  if (typeof fvt === "number") validateReceiveOptions("consume: failureVisibilityTimeout", { VisibilityTimeout: fvt });
  else if (fvt !== undefined && typeof fvt !== "function") throw new TypeError("consume: failureVisibilityTimeout must be a number or a function");
  if (options.fifo !== undefined && typeof options.fifo !== "boolean") throw new TypeError("consume: fifo must be a boolean");
  const perGroup = options.maxConcurrencyPerGroup;
  if (perGroup !== undefined) {
    if (!Number.isInteger(perGroup) || perGroup < 1) throw new RangeError(`consume: maxConcurrencyPerGroup must be a positive integer, got ${perGroup}`);
    if (options.batchHandler) throw new TypeError("consume: maxConcurrencyPerGroup works with handler (per message), not batchHandler");
    if (options.fifo ?? isFifoQueueUrl(options.queueUrl)) {
      throw new TypeError("consume: maxConcurrencyPerGroup is for standard (fair) queues; a FIFO queue runs one message per group already");
    }
  }
  const rate = options.maxMessagesPerSecond;
  if (rate !== undefined && typeof rate !== "function" && !(typeof rate === "number" && Number.isFinite(rate) && rate > 0)) {
    throw new RangeError(`consume: maxMessagesPerSecond must be a positive number or a function returning one (0 pauses), got ${String(rate)}`);
  }
  const MaxNumberOfMessages = Math.min(options.MaxNumberOfMessages ?? SQS_MAX_MESSAGES_PER_RECEIVE, concurrency);
  return {
    concurrency,
    WaitTimeSeconds: options.WaitTimeSeconds ?? SQS_MAX_WAIT_TIME_SECONDS,
    VisibilityTimeout,
    MaxNumberOfMessages,
    heartbeatIntervalMs: heartbeatSeconds * 1000,
    deleteFlushDelayMs: nonNegativeMs("deleteFlushDelayMs", options.deleteFlushDelayMs, 50),
    stopTimeoutMs: nonNegativeMs("stopTimeoutMs", options.stopTimeoutMs, DEFAULT_STOP_TIMEOUT_MS),
    deleteFlushTimeoutMs: nonNegativeMs("deleteFlushTimeoutMs", options.deleteFlushTimeoutMs, DEFAULT_DELETE_FLUSH_TIMEOUT_MS),
    backoff: resolveBackoff(options.backoff),
    pollerShares: splitConcurrency(concurrency, MaxNumberOfMessages),
    fifo: options.fifo ?? isFifoQueueUrl(options.queueUrl),
    maxConcurrencyPerGroup: perGroup,
  };
}
