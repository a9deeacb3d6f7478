/**
 * Reads a queue's `RedrivePolicy` once (one `GetQueueAttributes`), for `consume` on FIFO queues: is
 * there a dead-letter queue, and after how many receives does a message go there?
 */
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { Logger } from "../shared/logger.js";
import { describeError } from "./classify-error.js";

/**
 * `maxReceiveCount` of the queue's redrive policy; `undefined` when it has no dead-letter queue; `"unknown"`
 * when the policy could not be read (logged at `warn`: allow `sqs:GetQueueAttributes`).
 *
 * @example
 * ```ts
 * await readMaxReceiveCount(sqs, ordersFifoUrl, logger); // 5
 * ```
 */
export async function readMaxReceiveCount(client: SQSClient, queueUrl: string, logger: Pick<Logger, "warn">, signal?: AbortSignal): Promise<number | undefined | "unknown"> {
  try {
    const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["RedrivePolicy"] }), { abortSignal: signal });
    const raw = out.Attributes?.RedrivePolicy;
    if (raw === undefined || raw === "") return undefined;
    const count = Number((JSON.parse(raw) as { maxReceiveCount?: unknown }).maxReceiveCount);
    return Number.isFinite(count) && count > 0 ? count : "unknown";
  } catch (error) {
    if (signal?.aborted) return "unknown";
    logger.warn(
      `awscreds/sqs: could not read the RedrivePolicy of ${queueUrl} (allow sqs:GetQueueAttributes); assuming a dead-letter queue: ` +
        `after a failure, messages are received one at a time until it is retried: ${describeError(error)}`,
    );
    return "unknown";
  }
}
