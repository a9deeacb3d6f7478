/**
 * `awscreds/sqs`: SQS long polling that survives short client timeouts, an abortable poller, and a
 * consumer with bounded concurrency, visibility heartbeats, batched deletes and graceful shutdown.
 * Requires `@aws-sdk/client-sqs` (a peer dependency).
 *
 * @packageDocumentation
 * @module awscreds/sqs
 */
export { createLongPollingClient, longPollingInfo } from "./long-polling-client.js";
export type { LongPollingClientOptions, LongPollingInfo } from "./long-polling-client.js";
export { pollMessages } from "./poll-messages.js";
export type { PollMessagesOptions, PollErrorInfo } from "./poll-messages.js";
export { consume } from "./consume.js";
export type { ConsumerHandle, ConsumeCounters } from "./consume.js";
export type {
  ConsumeOptions,
  ConsumeErrorContext,
  ConsumeOperation,
  MessageHandler,
  MessageHandlerContext,
  BatchHandler,
  BatchResponse,
  FailedMessageInfo,
} from "./consume-options.js";
export type { ReceiveOptions } from "./receive-options.js";
export type { MessageRate } from "./receive-rate.js";
export type { BackoffPolicy } from "./backoff.js";
export type { ErrorKind } from "./classify-error.js";
export { injectTraceContext, withTraceContext, SQS_MAX_MESSAGE_ATTRIBUTES } from "./trace-context.js";
export type { TraceContextOptions, TraceContextInjection } from "./trace-context.js";
export type { TelemetryOption, TelemetryProviders, TelemetryMeterProvider, TelemetryTracerProvider } from "../telemetry/options.js";
export { sendMessages } from "./send-messages.js";
export { createBatchSender } from "./batch-sender.js";
export type { BatchSender } from "./batch-sender.js";
export type { SendMessagesOptions, BatchSenderOptions } from "./send-options.js";
export type { SendMessageEntry, SendMessageResult, SendStats } from "./send-engine.js";
export { SendMessageError } from "./send-error.js";
