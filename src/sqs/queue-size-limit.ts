/**
 * The largest message a queue takes (its `MaximumMessageSize`), read once per client and queue with one
 * `GetQueueAttributes`: a sender that packs batches needs it before its first call, and asking again for
 * every batch would double the calls. A producer is often allowed `sqs:SendMessage` only; then the read
 * fails, SQS's own limit (1 MiB) is assumed, and a smaller queue limit shows up as per-message errors.
 */
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { Logger } from "../shared/logger.js";
import { describeError } from "./classify-error.js";
import { SQS_MAX_BATCH_BYTES } from "./message-size.js";

const cache = new WeakMap<SQSClient, Map<string, Promise<number>>>();

/**
 * `MaximumMessageSize` of `queueUrl`, bytes; SQS's maximum (1 MiB) when it cannot be read (logged at `warn`).
 * Concurrent and later callers with the same client share one read.
 *
 * @example
 * ```ts
 * const limit = await queueSizeLimit(sqs, queueUrl, console); // 1048576 on a queue with the default
 * ```
 */
export function queueSizeLimit(client: SQSClient, queueUrl: string, logger: Pick<Logger, "warn">): Promise<number> {
  let byQueue = cache.get(client);
  if (byQueue === undefined) {
    byQueue = new Map();
    cache.set(client, byQueue);
  }
  const known = byQueue.get(queueUrl);
  if (known !== undefined) return known;
  const read = client
    .send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["MaximumMessageSize"] }))
    .then((out) => {
      const value = Number(out.Attributes?.MaximumMessageSize);
      return Number.isInteger(value) && value > 0 ? value : SQS_MAX_BATCH_BYTES;
    })
    .catch((error: unknown) => {
      // Not cached: the next sender may have the permission (or the network) this one lacked.
      byQueue.delete(queueUrl);
      logger.warn(
        `awscreds/sqs: could not read MaximumMessageSize of ${queueUrl} (allow sqs:GetQueueAttributes, or pass maxMessageBytes); ` +
          `assuming SQS's maximum, ${SQS_MAX_BATCH_BYTES} bytes: ${describeError(error)}`,
      );
      return SQS_MAX_BATCH_BYTES;
    });
  byQueue.set(queueUrl, read);
  return read;
}
