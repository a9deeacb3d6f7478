/**
 * How many bytes SQS counts for a message: the body plus, for each message attribute, its name, its data
 * type and its value (UTF-8 for strings, raw length for binary). This is the size SQS compares with the
 * queue's `MaximumMessageSize`, and the sum over a batch is what `SendMessageBatch` limits.
 */
import type { MessageAttributeValue } from "@aws-sdk/client-sqs";

/** SQS's hard limit on one `SendMessageBatch` call (sum of its messages) and on any message, bytes (since 2025). */
export const SQS_MAX_BATCH_BYTES = 1_048_576;
/** Entries per `SendMessageBatch` call. */
export const SQS_MAX_BATCH_ENTRIES = 10;

/**
 * The size SQS counts for a message with this body and these attributes.
 *
 * @example
 * ```ts
 * sqsMessageBytes("héllo", { tenant: { DataType: "String", StringValue: "acme" } }); // 6 + 6 + 6 + 4 = 22
 * ```
 */
export function sqsMessageBytes(body: string, attributes?: Record<string, MessageAttributeValue>): number {
  let bytes = Buffer.byteLength(body);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? "");
    if (value.StringValue !== undefined) bytes += Buffer.byteLength(value.StringValue);
    if (value.BinaryValue !== undefined) bytes += value.BinaryValue.byteLength;
  }
  return bytes;
}
