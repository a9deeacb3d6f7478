/**
 * Message actions: SendMessage(Batch), ReceiveMessage (with real long polling), DeleteMessage(Batch),
 * ChangeMessageVisibility(Batch). Request and response members are those of `@aws-sdk/client-sqs`.
 */
import { queueOf, type ActionHandler } from "./action-context.js";
import { batchEntries, runEntries } from "./batch.js";
import { invalidParameter, sqsError } from "./errors.js";
import { checkId, fifoSendFields } from "./fifo-send.js";
import {
  checkRange,
  optionalInteger,
  optionalObjectMap,
  optionalString,
  optionalStringList,
  requiredString,
  type JsonObject,
} from "./input.js";
import { md5OfAttributes, md5OfBody } from "./md5.js";
import { attributeBytes, parseMessageAttributes, renderAttributes, selectAttributes } from "./message-attributes.js";
import { DEFAULT_MAXIMUM_MESSAGE_SIZE, type FakeQueue, type ReceivedMessage } from "./queue.js";
import { senderIdOf } from "./sender-id.js";

/** The first character outside XML 1.0's set (the one SQS accepts in a body), if any. */
function firstInvalidCharacter(body: string): number | undefined {
  for (const char of body) {
    const c = char.codePointAt(0)!;
    const valid = c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000;
    if (!valid) return c;
  }
  return undefined;
}
const MAX_VISIBILITY = 43_200;

/** Validates and enqueues one message (SendMessage, one SendMessageBatch entry, or the handle's `sendMessage`). */
export function sendOne(queue: FakeQueue, entry: JsonObject, senderId: string): JsonObject {
  const body = entry.MessageBody;
  if (body !== undefined && typeof body !== "string") throw sqsError("SerializationException", "Member MessageBody must be a string.");
  if (body === undefined || body === "") throw sqsError("MissingParameter", "The request must contain the parameter MessageBody.");
  const bad = firstInvalidCharacter(body);
  if (bad !== undefined) {
    throw sqsError(
      "InvalidMessageContents",
      `Invalid binary character '#x${bad.toString(16).toUpperCase()}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
    );
  }
  const delay = optionalInteger(entry, "DelaySeconds");
  if (delay !== undefined) checkRange("DelaySeconds", delay, 0, 900);
  const { groupId, dedupId } = fifoSendFields(entry, body, queue, delay);
  const user = parseMessageAttributes(optionalObjectMap(entry, "MessageAttributes"));
  const system = parseMessageAttributes(optionalObjectMap(entry, "MessageSystemAttributes"), "system");
  for (const name of Object.keys(system.attributes)) {
    if (name !== "AWSTraceHeader") throw invalidParameter(`Message system attribute name '${name}' is invalid.`);
  }
  const size = Buffer.byteLength(body) + user.bytes;
  if (size > queue.maximumMessageSize) {
    throw invalidParameter(`One or more parameters are invalid. Reason: Message must be shorter than ${queue.maximumMessageSize} bytes.`);
  }
  const sent = queue.send({
    body,
    attributes: user.attributes,
    systemAttributes: system.attributes,
    senderId,
    delaySeconds: delay ?? queue.delaySeconds,
    groupId,
    dedupId,
  });
  const result: JsonObject = { MessageId: sent.messageId, MD5OfMessageBody: md5OfBody(body) };
  const attributesMd5 = md5OfAttributes(user.attributes);
  if (attributesMd5 !== undefined) result.MD5OfMessageAttributes = attributesMd5;
  const systemMd5 = md5OfAttributes(system.attributes);
  if (systemMd5 !== undefined) result.MD5OfMessageSystemAttributes = systemMd5;
  if (sent.sequenceNumber !== undefined) result.SequenceNumber = sent.sequenceNumber;
  return result;
}

export const sendMessage: ActionHandler = (input, context) => {
  const queue = queueOf(input, context);
  return sendOne(queue, input, senderIdOf(context.caller));
};

export const sendMessageBatch: ActionHandler = (input, context) => {
  const queue = queueOf(input, context);
  const entries = batchEntries(input, "SendMessageBatchRequestEntry");
  // The sum of the messages' sizes (bodies and attributes), against SQS's batch payload limit whatever the
  // queue's MaximumMessageSize: 1 MiB since August 2025.
  const total = entries.reduce((sum, e) => sum + (typeof e.MessageBody === "string" ? Buffer.byteLength(e.MessageBody) : 0) + attributeBytes(e.MessageAttributes), 0);
  if (total > DEFAULT_MAXIMUM_MESSAGE_SIZE) {
    throw sqsError("BatchRequestTooLong", `Batch requests cannot be longer than ${DEFAULT_MAXIMUM_MESSAGE_SIZE} bytes. You have sent ${total} bytes.`);
  }
  const senderId = senderIdOf(context.caller);
  return runEntries(entries, (entry) => sendOne(queue, entry, senderId), (id) => context.entryFaults.take("SendMessageBatch", id));
};

const SYSTEM_ATTRIBUTES = [
  "SenderId",
  "SentTimestamp",
  "ApproximateReceiveCount",
  "ApproximateFirstReceiveTimestamp",
  "AWSTraceHeader",
  "MessageGroupId",
  "MessageDeduplicationId",
  "SequenceNumber",
  "DeadLetterQueueSourceArn",
];

/** The `Attributes` map of a received message, for the names asked for. */
function systemAttributesOf(received: ReceivedMessage, requested: ReadonlySet<string>): Record<string, string> | undefined {
  if (requested.size === 0) return undefined;
  const all = requested.has("All");
  const { message } = received;
  const values: Record<string, string | undefined> = {
    SenderId: message.senderId,
    SentTimestamp: String(message.sentAt),
    ApproximateReceiveCount: String(received.receiveCount),
    ApproximateFirstReceiveTimestamp: String(received.firstReceivedAt),
    AWSTraceHeader: message.systemAttributes.AWSTraceHeader?.StringValue,
    MessageGroupId: message.groupId,
    MessageDeduplicationId: message.dedupId,
    SequenceNumber: message.sequenceNumber,
    DeadLetterQueueSourceArn: message.deadLetterSourceArn,
  };
  const out: Record<string, string> = {};
  for (const name of SYSTEM_ATTRIBUTES) {
    const value = values[name];
    if ((all || requested.has(name)) && value !== undefined) out[name] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export const receiveMessage: ActionHandler = async (input, context) => {
  const queue = queueOf(input, context);
  const max = checkRange("MaxNumberOfMessages", optionalInteger(input, "MaxNumberOfMessages") ?? 1, 1, 10);
  const visibility = checkRange("VisibilityTimeout", optionalInteger(input, "VisibilityTimeout") ?? queue.visibilityTimeoutSeconds, 0, MAX_VISIBILITY);
  const wait = checkRange("WaitTimeSeconds", optionalInteger(input, "WaitTimeSeconds") ?? queue.receiveMessageWaitTimeSeconds, 0, 20);
  const systemNames = new Set([...(optionalStringList(input, "AttributeNames") ?? []), ...(optionalStringList(input, "MessageSystemAttributeNames") ?? [])]);
  const attributeNames = optionalStringList(input, "MessageAttributeNames");
  const attemptId = optionalString(input, "ReceiveRequestAttemptId");
  if (attemptId !== undefined) checkId("ReceiveRequestAttemptId", attemptId);

  const received = await queue.waitForMessages(max, visibility, wait * 1000, context.signal, attemptId);
  if (received.length === 0) return {};
  return {
    Messages: received.map((r) => {
      const message: JsonObject = {
        MessageId: r.message.id,
        ReceiptHandle: r.receiptHandle,
        MD5OfBody: r.message.md5OfBody,
        Body: r.message.body,
      };
      const attributes = systemAttributesOf(r, systemNames);
      if (attributes !== undefined) message.Attributes = attributes;
      const selected = selectAttributes(r.message.attributes, attributeNames);
      const md5 = md5OfAttributes(selected);
      if (md5 !== undefined) {
        message.MD5OfMessageAttributes = md5;
        message.MessageAttributes = renderAttributes(selected);
      }
      return message;
    }),
  };
};

export const deleteMessage: ActionHandler = (input, context) => {
  const queue = queueOf(input, context);
  queue.delete(requiredString(input, "ReceiptHandle"));
  return {};
};

export const deleteMessageBatch: ActionHandler = (input, context) => {
  const queue = queueOf(input, context);
  const entries = batchEntries(input, "DeleteMessageBatchRequestEntry");
  return runEntries(
    entries,
    (entry) => {
      queue.delete(requiredString(entry, "ReceiptHandle"));
      return {};
    },
    (id) => context.entryFaults.take("DeleteMessageBatch", id),
  );
};

function changeOne(queue: FakeQueue, entry: JsonObject): JsonObject {
  const handle = requiredString(entry, "ReceiptHandle");
  const seconds = optionalInteger(entry, "VisibilityTimeout");
  if (seconds === undefined) throw sqsError("MissingParameter", "The request must contain the parameter VisibilityTimeout.");
  checkRange("VisibilityTimeout", seconds, 0, MAX_VISIBILITY);
  queue.changeVisibility(handle, seconds);
  return {};
}

export const changeMessageVisibility: ActionHandler = (input, context) => {
  const queue = queueOf(input, context);
  return changeOne(queue, input);
};

export const changeMessageVisibilityBatch: ActionHandler = (input, context) => {
  const queue = queueOf(input, context);
  const entries = batchEntries(input, "ChangeMessageVisibilityBatchRequestEntry");
  return runEntries(entries, (entry) => changeOne(queue, entry), (id) => context.entryFaults.take("ChangeMessageVisibilityBatch", id));
};
