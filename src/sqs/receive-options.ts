/**
 * The `ReceiveMessage` parameters shared by `pollMessages` and `consume`, named as in the SQS API,
 * with their defaults and the ranges SQS enforces (checked up front, so a typo fails at start-up
 * rather than as a stream of `InvalidParameterValue` errors).
 */
import type { MessageSystemAttributeName, ReceiveMessageCommandInput } from "@aws-sdk/client-sqs";
import { SQS_MAX_WAIT_TIME_SECONDS } from "./long-poll-timeout.js";

export interface ReceiveOptions {
  /** Long-poll wait, 0–20 s. Default 20. */
  WaitTimeSeconds?: number;
  /** Messages per `ReceiveMessage`, 1–10. Default 10 (`consume` never asks for more than it has room for). */
  MaxNumberOfMessages?: number;
  /** Seconds a received message stays invisible to other consumers, 0–43200. Default: the queue's (`consume`: 30). */
  VisibilityTimeout?: number;
  /** Message attributes to return. Default `["All"]`. */
  MessageAttributeNames?: string[];
  /** System attributes to return (e.g. `ApproximateReceiveCount`). Default `["All"]`. */
  MessageSystemAttributeNames?: MessageSystemAttributeName[];
}

export const SQS_MAX_MESSAGES_PER_RECEIVE = 10;
export const SQS_MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

function inRange(fn: string, name: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${fn}: ${name} must be an integer from ${min} to ${max} (the SQS limit), got ${value}`);
  }
}

/**
 * Throws a `RangeError` naming the first option outside what SQS accepts.
 *
 * @example
 * ```ts
 * validateReceiveOptions("pollMessages", { WaitTimeSeconds: 30 }); // RangeError: … 0 to 20 …
 * ```
 */
export function validateReceiveOptions(fn: string, options: ReceiveOptions): void {
  inRange(fn, "WaitTimeSeconds", options.WaitTimeSeconds, 0, SQS_MAX_WAIT_TIME_SECONDS);
  inRange(fn, "MaxNumberOfMessages", options.MaxNumberOfMessages, 1, SQS_MAX_MESSAGES_PER_RECEIVE);
  inRange(fn, "VisibilityTimeout", options.VisibilityTimeout, 0, SQS_MAX_VISIBILITY_TIMEOUT_SECONDS);
}

/**
 * The `ReceiveMessage` input for one poll; `maxMessages` caps `MaxNumberOfMessages` (room left).
 *
 * @example
 * ```ts
 * receiveMessageInput(queueUrl, { WaitTimeSeconds: 5 }, 3);
 * // { QueueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 3, MessageAttributeNames: ["All"], ... }
 * ```
 */
export function receiveMessageInput(queueUrl: string, options: ReceiveOptions, maxMessages?: number): ReceiveMessageCommandInput {
  const configured = options.MaxNumberOfMessages ?? SQS_MAX_MESSAGES_PER_RECEIVE;
  const input: ReceiveMessageCommandInput = {
    QueueUrl: queueUrl,
    WaitTimeSeconds: options.WaitTimeSeconds ?? SQS_MAX_WAIT_TIME_SECONDS,
    MaxNumberOfMessages: Math.max(1, Math.min(configured, maxMessages ?? configured)),
    MessageAttributeNames: options.MessageAttributeNames ?? ["All"],
    MessageSystemAttributeNames: options.MessageSystemAttributeNames ?? ["All"],
  };
  if (options.VisibilityTimeout !== undefined) input.VisibilityTimeout = options.VisibilityTimeout;
  return input;
}
