/**
 * `sendMessages`: the batch sender everyone writes by hand, once.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import { SendEngine, type SendMessageEntry, type SendMessageResult } from "./send-engine.js";
import { resolveSendOptions, type SendMessagesOptions } from "./send-options.js";

/**
 * Sends `messages` to `queueUrl` in `SendMessageBatch` calls of at most 10 entries and the queue's size
 * limit (1 MiB a batch; per message the queue's `MaximumMessageSize`, read once), a few calls in flight,
 * and resolves to one result per message, in input order: `{ ok: true, messageId, sequenceNumber? }` or
 * `{ ok: false, error }`. It never rejects for a message that failed:
 *
 * - only entries SQS failed for its own reasons (`SenderFault: false`, `InternalError`, throttling) and
 *   whole calls that failed on throttling, network, 5xx or expired credentials are sent again, after a
 *   backoff, up to `maxAttempts`; an entry refused as the sender's fault (`InvalidParameterValue`, …) is not;
 * - a message over the queue's limit is refused before anything is sent (`code: "MessageTooLarge"`);
 * - on a FIFO queue a message group's next batch goes only after its previous one landed (retries
 *   included), so SQS enqueues each group in input order; different groups travel side by side;
 * - the active trace context is added to each message (as {@link withTraceContext} does).
 *
 * @example
 * ```ts
 * import { sendMessages } from "awscreds/sqs";
 *
 * const results = await sendMessages(sqs, queueUrl, orders.map((o) => ({ MessageBody: JSON.stringify(o), MessageGroupId: o.customerId })));
 * const failed = results.flatMap((r, i) => (r.ok ? [] : [{ order: orders[i], error: r.error }]));
 * if (failed.length > 0) log.error({ failed: failed.map((f) => f.error.code) }, "some orders were not queued");
 * ```
 */
export async function sendMessages(
  client: SQSClient,
  queueUrl: string,
  messages: readonly SendMessageEntry[],
  options: SendMessagesOptions = {},
): Promise<SendMessageResult[]> {
  if (!Array.isArray(messages)) throw new TypeError("sendMessages: messages must be an array of SendMessage inputs (without QueueUrl)");
  if (messages.length === 0) {
    resolveSendOptions("sendMessages", client, queueUrl, { ...options, maxMessageBytes: options.maxMessageBytes ?? 1 }); // checks only
    return [];
  }
  const engine = new SendEngine(resolveSendOptions("sendMessages", client, queueUrl, { ...options, lingerMs: 0 }));
  return Promise.all(engine.addAll(messages));
}
