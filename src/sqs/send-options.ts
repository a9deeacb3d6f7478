/**
 * Options of `sendMessages` and `createBatchSender`, their defaults and checks (pure).
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Logger } from "../shared/logger.js";
import { silentLogger } from "../shared/logger.js";
import type { TelemetryOption } from "../telemetry/options.js";
import { resolveBackoff, type BackoffPolicy } from "./backoff.js";
import { isFifoQueueUrl } from "./fifo-groups.js";
import { SQS_MAX_BATCH_BYTES } from "./message-size.js";
import { queueSizeLimit } from "./queue-size-limit.js";
import type { SendEngineOptions } from "./send-engine.js";

export interface SendMessagesOptions {
  /**
   * The queue's `MaximumMessageSize`, bytes. Default: read once per client and queue with
   * `GetQueueAttributes`; SQS's maximum (1 MiB) when that is not allowed.
   */
  maxMessageBytes?: number;
  /** `SendMessageBatch` calls in flight at once. Default 16. */
  maxInFlight?: number;
  /** Attempts per message before a retryable failure is given up. Default 5. */
  maxAttempts?: number;
  /** Backoff between attempts. Default 100 ms doubling to 5 s, with jitter. */
  backoff?: Partial<BackoffPolicy>;
  /** FIFO handling (order per `MessageGroupId`). Default: the queue URL ends in `.fifo`. */
  fifo?: boolean;
  /** Aborting settles what is not sent yet with `code: "Aborted"`. */
  signal?: AbortSignal;
  /**
   * The active trace context goes on each message as `traceparent`/`tracestate` attributes (as
   * `withTraceContext` does) unless `false`; `{ meterProvider, tracerProvider }` is accepted and ignored here.
   */
  telemetry?: TelemetryOption;
  /** Retries are logged at `debug`/`warn`. Default: silent. */
  logger?: Logger;
}

export interface BatchSenderOptions extends Omit<SendMessagesOptions, "signal"> {
  /** Longest a message waits for others to fill its batch, ms. Default 10. */
  lingerMs?: number;
}

const SEND_BACKOFF: Partial<BackoffPolicy> = { initialDelayMs: 100, maxDelayMs: 5_000 };

function positiveInteger(where: string, name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${where}: ${name} must be a positive integer, got ${v}`);
  return v;
}

/**
 * Checks the options and fills in defaults (starting the one `MaximumMessageSize` read when needed).
 *
 * @example
 * ```ts
 * resolveSendOptions("sendMessages", client, queueUrl, { maxMessageBytes: 262_144 }).maxInFlight; // 16
 * ```
 */
export function resolveSendOptions(
  where: string,
  client: SQSClient,
  queueUrl: string,
  options: SendMessagesOptions & { lingerMs?: number },
): SendEngineOptions {
  if (!client || typeof client.send !== "function") throw new TypeError(`${where}: client (an SQSClient) is required`);
  if (typeof queueUrl !== "string" || queueUrl === "") throw new TypeError(`${where}: queueUrl is required`);
  const logger = options.logger ?? silentLogger;
  const given = options.maxMessageBytes;
  if (given !== undefined && (!Number.isInteger(given) || given < 1 || given > SQS_MAX_BATCH_BYTES)) {
    throw new RangeError(`${where}: maxMessageBytes must be an integer from 1 to ${SQS_MAX_BATCH_BYTES}, got ${given}`);
  }
  const lingerMs = options.lingerMs ?? 0;
  if (!Number.isFinite(lingerMs) || lingerMs < 0) throw new RangeError(`${where}: lingerMs must be a non-negative number of ms, got ${lingerMs}`);
  return {
    client,
    queueUrl,
    fifo: options.fifo ?? isFifoQueueUrl(queueUrl),
    maxMessageBytes: given ?? queueSizeLimit(client, queueUrl, logger),
    maxInFlight: positiveInteger(where, "maxInFlight", options.maxInFlight, 16),
    maxAttempts: positiveInteger(where, "maxAttempts", options.maxAttempts, 5),
    backoff: resolveBackoff({ ...SEND_BACKOFF, ...options.backoff }),
    lingerMs,
    telemetry: options.telemetry,
    logger,
    signal: options.signal,
  };
}
