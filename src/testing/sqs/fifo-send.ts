/**
 * What `SendMessage` checks and derives for the queue type: on a FIFO queue a `MessageGroupId` is
 * required, a deduplication id comes from the request or (with `ContentBasedDeduplication`) from the
 * body's SHA-256, and a per-message `DelaySeconds` is refused; on a standard queue
 * `MessageDeduplicationId` is refused (a `MessageGroupId` is accepted: SQS fair queues). Worded as SQS
 * words these errors.
 */
import { createHash } from "node:crypto";
import { invalidParameter, sqsError } from "./errors.js";
import { optionalString, type JsonObject } from "./input.js";

/** 1-128 characters: alphanumeric and punctuation (ASCII 33-126), as SQS allows in both ids. */
const FIFO_ID = /^[\x21-\x7e]{1,128}$/;

export interface FifoSendFields {
  groupId: string | undefined;
  dedupId: string | undefined;
}

/** Checks a FIFO token (`MessageGroupId`, `MessageDeduplicationId`, `ReceiveRequestAttemptId`) as SQS does. */
export function checkId(name: string, value: string): void {
  if (!FIFO_ID.test(value)) {
    throw invalidParameter(
      `Value ${value} for parameter ${name} is invalid. Reason: ${name} can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
    );
  }
}

function notForThisQueueType(name: string, value: string | number): never {
  throw invalidParameter(`Value ${value} for parameter ${name} is invalid. Reason: The request include parameter that is not valid for this queue type.`);
}

/**
 * Validates the FIFO members of one send entry for a queue of the given type and returns the group and
 * deduplication ids to store.
 *
 * @example
 * ```ts
 * fifoSendFields({ MessageGroupId: "g" }, "hi", { fifo: true, contentBasedDeduplication: true });
 * // { groupId: "g", dedupId: "8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4" }
 * ```
 */
export function fifoSendFields(
  entry: JsonObject,
  body: string,
  queue: { fifo: boolean; contentBasedDeduplication: boolean },
  delaySeconds: number | undefined,
): FifoSendFields {
  const groupId = optionalString(entry, "MessageGroupId");
  const dedupId = optionalString(entry, "MessageDeduplicationId");
  if (!queue.fifo) {
    if (dedupId !== undefined) notForThisQueueType("MessageDeduplicationId", dedupId);
    if (groupId !== undefined) checkId("MessageGroupId", groupId);
    return { groupId, dedupId: undefined };
  }
  // SQS checks the delay first: a FIFO queue delays only as a whole (its DelaySeconds attribute).
  if (delaySeconds !== undefined && delaySeconds !== 0) notForThisQueueType("DelaySeconds", delaySeconds);
  if (groupId === undefined || groupId === "") throw sqsError("MissingParameter", "The request must contain the parameter MessageGroupId.");
  checkId("MessageGroupId", groupId);
  if (dedupId !== undefined) {
    checkId("MessageDeduplicationId", dedupId);
    return { groupId, dedupId };
  }
  if (!queue.contentBasedDeduplication) {
    throw invalidParameter("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
  }
  // Content-based: the SHA-256 of the body only (not the attributes), as SQS documents.
  return { groupId, dedupId: createHash("sha256").update(body, "utf8").digest("hex") };
}
