/**
 * `pollMessages`: long polls as an async iterator of message batches. Pull-based, so it polls only
 * when the caller asks for the next batch (natural backpressure), and an `AbortSignal` ends it at
 * once: the in-flight `ReceiveMessage` is aborted, not waited out.
 */
import { ReceiveMessageCommand, type Message, type SQSClient } from "@aws-sdk/client-sqs";
import { silentLogger, type Logger } from "../shared/logger.js";
import { backoffDelayMs, resolveBackoff, type BackoffPolicy } from "./backoff.js";
import { classifyError, describeError, type ErrorKind } from "./classify-error.js";
import { longPollingInfo } from "./long-polling-client.js";
import { installRejectionRecovery } from "../refresh/rejection-middleware.js";
import { receiveMessageInput, validateReceiveOptions, type ReceiveOptions } from "./receive-options.js";
import { sleep } from "./sleep.js";
import { consumerTelemetry } from "../telemetry/messaging.js";
import type { TelemetryOption } from "../telemetry/options.js";
import { unheardErrorWarner } from "./default-warnings.js";
import { instrumentedClient } from "./instrumented-client.js";

/** Passed to `onError` for each failed poll that will be retried. */
export interface PollErrorInfo {
  kind: Exclude<ErrorKind, "aborted" | "fatal">;
  /** Consecutive failures so far (1 for the first). */
  attempt: number;
  /** How long the poller waits before the next poll, ms. */
  delayMs: number;
}

export interface PollMessagesOptions extends ReceiveOptions {
  queueUrl: string;
  /** Ends the iteration; an in-flight poll is aborted. */
  signal?: AbortSignal;
  /** Backoff after credential, throttling and transient errors. Default 500 ms doubling to 20 s, with jitter. */
  backoff?: Partial<BackoffPolicy>;
  /** Pause after an empty reply when `WaitTimeSeconds` is 0 (short polling), ms. Default 1000. */
  emptyReceiveDelayMs?: number;
  logger?: Logger;
  /**
   * Called for every poll error that is retried; fatal errors are thrown from the iterator instead.
   * With neither `onError` nor `logger`, retried errors go to `console.warn`, at most once a minute per error code.
   */
  onError?: (error: unknown, info: PollErrorInfo) => void;
  /**
   * OpenTelemetry, as `consume` reports it: `messaging.client.consumed.messages` per receive and
   * `messaging.client.operation.duration` per `ReceiveMessage` (with `error.type` when it failed).
   * Default: the global providers when `@opentelemetry/api` is installed; `false`: nothing.
   */
  telemetry?: TelemetryOption;
}

/**
 * Long-polls `queueUrl` and yields each non-empty batch of messages. Credential errors
 * (`ExpiredToken`, `AccessDenied`, …), throttling and transient errors are retried with exponential
 * backoff and jitter; errors that cannot succeed on retry (`QueueDoesNotExist`, invalid parameters)
 * end the iteration by throwing. Aborting `signal` (or leaving the loop) ends it cleanly.
 *
 * Received messages are yours: delete them, or they return after their visibility timeout. Pass the
 * client from {@link createLongPollingClient} so the polls are not cut short by a short timeout.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * for await (const batch of pollMessages(createLongPollingClient(sqs), { queueUrl, signal: controller.signal })) {
 *   for (const message of batch) await handle(message);
 *   await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
 * }
 * ```
 */
export function pollMessages(client: SQSClient, options: PollMessagesOptions): AsyncGenerator<Message[], void, undefined> {
  // Validate now, not at the first next(): a bad option should fail where it was written.
  if (typeof options.queueUrl !== "string" || options.queueUrl === "") throw new TypeError("pollMessages: queueUrl is required");
  validateReceiveOptions("pollMessages", options);
  const policy = resolveBackoff(options.backoff);
  const emptyDelayMs = options.emptyReceiveDelayMs ?? 1_000;
  if (!Number.isFinite(emptyDelayMs) || emptyDelayMs < 0) throw new RangeError(`pollMessages: emptyReceiveDelayMs must be ≥ 0, got ${emptyDelayMs}`);
  // A receive rejected for its credentials is retried once with new ones (idempotent on the client).
  installRejectionRecovery(client);
  return poll(client, options, policy, emptyDelayMs);
}

async function* poll(
  client: SQSClient,
  options: PollMessagesOptions,
  policy: BackoffPolicy,
  emptyDelayMs: number,
): AsyncGenerator<Message[], void, undefined> {
  const { signal } = options;
  const logger = options.logger ?? silentLogger;
  const telemetry = consumerTelemetry(options.telemetry, { queueUrl: options.queueUrl });
  const receiver = instrumentedClient(client, telemetry);
  const unheard = options.onError === undefined && options.logger === undefined ? unheardErrorWarner("pollMessages") : undefined;
  const input = receiveMessageInput(options.queueUrl, options);
  if (!longPollingInfo(client)) {
    logger.debug("awscreds/sqs: pollMessages was given a client not made by createLongPollingClient; its timeouts must exceed WaitTimeSeconds");
  }
  let failures = 0;
  while (!signal?.aborted) {
    let messages: Message[];
    try {
      const output = await receiver.send(new ReceiveMessageCommand(input), { abortSignal: signal });
      messages = output.Messages ?? [];
      telemetry?.received(messages.length);
      failures = 0;
    } catch (error) {
      const kind = classifyError(error, signal);
      if (kind === "aborted") return;
      if (kind === "fatal") throw error;
      failures += 1;
      const delayMs = backoffDelayMs(failures - 1, policy);
      logger.warn(`awscreds/sqs: ReceiveMessage failed (${kind}), retrying in ${delayMs} ms: ${describeError(error)}`);
      unheard?.(error, { operation: "ReceiveMessage", kind, delayMs });
      try {
        options.onError?.(error, { kind, attempt: failures, delayMs });
      } catch (callbackError) {
        logger.error(`awscreds/sqs: onError callback threw: ${describeError(callbackError)}`);
      }
      await sleep(delayMs, signal);
      continue;
    }
    if (messages.length > 0) {
      yield messages;
    } else if (input.WaitTimeSeconds === 0) {
      await sleep(emptyDelayMs, signal);
    }
  }
}
