import { randomUUID } from "node:crypto";
import type { FakeContext } from "../core/context.js";
import { claimedAccessKeyIdOf, verifySigV4 } from "../core/sigv4.js";
import { FRONT_DOOR_BODY_LIMIT } from "../core/front-door.js";
import { extendHandle, FakeAwsError, startFakeService, type FakeServiceHandle, type ParsedCall, type Reply, type ServiceDefinition } from "../core/fake-service.js";
import type { ActionContext, ActionHandler } from "./action-context.js";
import {
  changeMessageVisibility,
  changeMessageVisibilityBatch,
  deleteMessage,
  deleteMessageBatch,
  receiveMessage,
  sendMessage,
  sendMessageBatch,
  sendOne,
} from "./actions-message.js";
import { addPermissionAction, listQueueTags, removePermissionAction, tagQueue, untagQueue } from "./actions-access.js";
import {
  createQueue,
  deleteQueue,
  getQueueAttributes,
  getQueueUrl,
  listDeadLetterSourceQueues,
  listQueues,
  purgeQueue,
  setQueueAttributes,
} from "./actions-queue.js";
import { BatchEntryFaults, type BatchEntryFault } from "./entry-faults.js";
import { malformedSqsReply, renderSqsError, sqsError } from "./errors.js";
import type { JsonObject } from "./input.js";
import { readSqsCall, sqsProtocolOf, unknownAction } from "./protocol.js";
import { malformedQueryReply, renderQueryError, renderQueryResult } from "./query-output.js";
import type { MessageState, QueueCounts } from "./queue.js";
import { QueueRegistry } from "./registry.js";

const ACTIONS: Readonly<Record<string, ActionHandler>> = {
  CreateQueue: createQueue,
  GetQueueUrl: getQueueUrl,
  GetQueueAttributes: getQueueAttributes,
  SetQueueAttributes: setQueueAttributes,
  ListQueues: listQueues,
  DeleteQueue: deleteQueue,
  PurgeQueue: purgeQueue,
  SendMessage: sendMessage,
  SendMessageBatch: sendMessageBatch,
  ReceiveMessage: receiveMessage,
  DeleteMessage: deleteMessage,
  DeleteMessageBatch: deleteMessageBatch,
  ChangeMessageVisibility: changeMessageVisibility,
  ChangeMessageVisibilityBatch: changeMessageVisibilityBatch,
  TagQueue: tagQueue,
  UntagQueue: untagQueue,
  ListQueueTags: listQueueTags,
  AddPermission: addPermissionAction,
  RemovePermission: removePermissionAction,
  ListDeadLetterSourceQueues: listDeadLetterSourceQueues,
};

/**
 * Real SQS actions (every other operation of the `@aws-sdk/client-sqs` model) the fake does not implement:
 * answered with `UnsupportedOperation`, never as an action SQS does not have.
 */
export const SQS_NOT_IMPLEMENTED: ReadonlySet<string> = new Set(["StartMessageMoveTask", "CancelMessageMoveTask", "ListMessageMoveTasks"]);

/** The SQS actions the fake implements. */
export const SQS_ACTIONS: readonly string[] = Object.keys(ACTIONS);

export interface FakeSqsOptions {
  /** Latency added before every answer, in ms (same as `handle.faults.setLatency`). */
  latencyMs?: number;
  /** Queues that exist from the start: names, or names with attributes (`{ VisibilityTimeout: "5" }`). */
  queues?: readonly (string | { name: string; attributes?: Readonly<Record<string, string>> })[];
  /** Minimum time between two PurgeQueue calls on a queue; SQS's is 60 s. Default 60. */
  purgeCooldownSeconds?: number;
  /** Reject signatures scoped to a region other than the fake's, as SQS does. Default true. */
  verifyRegion?: boolean;
}

/** Message attribute value as the SDK's `MessageAttributeValue` has it. */
export interface FakeMessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

/** A message as `handle.messages(queueName)` shows it. */
export interface FakeQueueMessage {
  messageId: string;
  body: string;
  messageAttributes: Record<string, FakeMessageAttributeValue>;
  state: Exclude<MessageState, "deleted">;
  receiveCount: number;
  /** Epoch ms. */
  sentTimestamp: number;
  /** Epoch ms when a delayed or in-flight message becomes visible. */
  visibleAt: number;
  /** FIFO queues (and standard queues sent to with one): the message group. */
  messageGroupId?: string;
  /** FIFO queues: SQS's `SequenceNumber`. */
  sequenceNumber?: string;
  /** Moved here by a redrive policy: the ARN of the source queue. */
  deadLetterQueueSourceArn?: string;
}

export type FakeQueueCounts = QueueCounts;

/** What tests see of the fake SQS, besides the endpoint, call log and faults of every fake service. */
export interface FakeSqsHandle extends FakeServiceHandle {
  /**
   * The URL of a queue (whether or not it exists): `http://127.0.0.1:PORT/ACCOUNT/NAME`, in the fake's
   * account or the one given (queues belong to the account of the credentials that created them).
   */
  queueUrl(queueName: string, accountId?: string): string;
  /** The queues of the fake's account, or of the one given. */
  queueNames(accountId?: string): string[];
  /**
   * Creates a queue (idempotent, as CreateQueue) and returns its URL: in the fake's account, or in
   * `accountId`'s (a tenant's queue, which that account's credentials reach, e.g. after AssumeRole into it).
   */
  createQueue(queueName: string, attributes?: Readonly<Record<string, string>>, accountId?: string): string;
  /** Deletes a queue and its messages; false if there was none. */
  deleteQueue(queueName: string): boolean;
  /**
   * Enqueues a message without a client (validated as SendMessage is: a FIFO queue needs
   * `messageGroupId`, and a deduplication id unless it has `ContentBasedDeduplication`). Returns the
   * message id (a FIFO duplicate inside the 5-minute window returns the first one's).
   */
  sendMessage(
    queueName: string,
    body: string,
    options?: {
      delaySeconds?: number;
      messageAttributes?: Readonly<Record<string, FakeMessageAttributeValue>>;
      messageGroupId?: string;
      messageDeduplicationId?: string;
    },
  ): string;
  /** Messages in the queue: visible + in flight + delayed. */
  messageCount(queueName: string): number;
  /** Visible, in-flight and delayed counts, and totals sent, received and deleted. */
  counts(queueName: string): FakeQueueCounts;
  /** The messages still in the queue, oldest first. */
  messages(queueName: string): FakeQueueMessage[];
  /** Deletes every message of a queue now (no PurgeQueue cool-down). */
  purge(queueName: string): void;
  /**
   * Fails the next `count` entries of batch calls (`SendMessageBatch`, `DeleteMessageBatch`,
   * `ChangeMessageVisibilityBatch`, or only `fault.action`'s) the way SQS reports a partial failure: the
   * call answers 200 and lists them under `Failed` (default `Code: "InternalError"`, `SenderFault: false`),
   * and nothing happens to those entries (a failed delete deletes nothing). Entries are taken in the
   * order the fake handles them. `faults.restore()` clears what is still pending.
   */
  failBatchEntries(count: number, fault?: BatchEntryFault): void;
}

function reply(payload: JsonObject): Reply {
  return { status: 200, headers: { "content-type": "application/x-amz-json-1.0" }, body: JSON.stringify(payload) };
}

/** What the call log shows of a request (never message bodies). */
function detailsOf(input: JsonObject | FakeAwsError): Record<string, unknown> {
  if (input instanceof FakeAwsError) return {};
  const details: Record<string, unknown> = {};
  for (const key of ["QueueUrl", "QueueName", "WaitTimeSeconds", "MaxNumberOfMessages", "VisibilityTimeout", "ReceiveRequestAttemptId"] as const) {
    if (input[key] !== undefined) details[key.charAt(0).toLowerCase() + key.slice(1)] = input[key];
  }
  if (Array.isArray(input.Entries)) details.entries = input.Entries.length;
  return details;
}

/**
 * Starts the fake SQS on 127.0.0.1: AWS JSON 1.0 (`X-Amz-Target: AmazonSQS.<Action>`) as current
 * `@aws-sdk/client-sqs` speaks it, and the Query protocol (`Action=SendMessage&…`, XML answers) of older
 * clients, chosen per request as SQS does, both on one queue engine, with SigV4 (header or presigned
 * query string) verified against `ctx.store`, real long polling,
 * visibility timeouts, delays, receive counts and MD5s as SQS computes them.
 *
 * @example
 * ```ts
 * const ctx = { store: new CredentialStore(), region: "us-east-1", accountId: "123456789012", now: Date.now };
 * const sqs = await startFakeSqs(ctx, { queues: ["jobs"] });
 * const keys = ctx.store.add({ accessKeyId: "AKIAFAKE", secretAccessKey: "s", arn: "arn:aws:iam::123456789012:user/u", account: "123456789012", issuer: "static" });
 * const client = new SQSClient({ region: ctx.region, endpoint: sqs.endpoint, credentials: keys });
 * await client.send(new SendMessageCommand({ QueueUrl: sqs.queueUrl("jobs"), MessageBody: "hi" }));
 * await sqs.close();
 * ```
 */
export async function startFakeSqs(ctx: FakeContext, options: FakeSqsOptions = {}): Promise<FakeSqsHandle & { close(): Promise<void> }> {
  // The registry needs the endpoint, known only once the server listens; requests cannot arrive before.
  const state: { registry?: QueueRegistry } = {};
  const purgeCooldownMs = (options.purgeCooldownSeconds ?? 60) * 1000;
  const verifyRegion = options.verifyRegion ?? true;
  const entryFaults = new BatchEntryFaults();

  const definition: ServiceDefinition = {
    parse(request): ParsedCall {
      const wire = readSqsCall(request);
      const { action, input } = wire;
      const details = detailsOf(input);
      if (wire.protocol === "query") details.protocol = "query";
      const call: ParsedCall = {
        action,
        details,
        // Everything, authentication included, happens in handle(): so a rejected call is still logged
        // under its action, with the error code it got.
        handle: async () => {
          const caller = verifySigV4(request, ctx.store, verifyRegion ? { service: "sqs", region: ctx.region } : { service: "sqs" });
          const handler = ACTIONS[action];
          if (handler === undefined) {
            if (SQS_NOT_IMPLEMENTED.has(action)) throw sqsError("UnsupportedOperation", `The fake SQS does not implement ${action}.`);
            throw unknownAction(wire);
          }
          const context: ActionContext = {
            registry: state.registry!,
            action,
            caller,
            baseUrl: request.host === "" ? state.registry!.endpoint : `http://${request.host}`,
            signal: request.signal,
            purgeCooldownMs,
            entryFaults,
          };
          if (input instanceof FakeAwsError) throw input;
          const result = await handler(input, context);
          return wire.protocol === "query" ? renderQueryResult(action, result, randomUUID()) : reply(result);
        },
      };
      const accessKeyId = claimedAccessKeyIdOf(request);
      if (accessKeyId !== undefined) call.accessKeyId = accessKeyId;
      return call;
    },
    renderError: (error, request) => (sqsProtocolOf(request) === "query" ? renderQueryError(error, randomUUID()) : renderSqsError(error)),
    malformedReply: (request) => (sqsProtocolOf(request) === "query" ? malformedQueryReply(readSqsCall(request).action) : malformedSqsReply()),
    restoreFaults: () => entryFaults.clear(),
  };

  const service = await startFakeService(definition, () => ctx.now(), { front: ctx.front, name: "sqs", bodyLimitBytes: FRONT_DOOR_BODY_LIMIT });
  const queues = new QueueRegistry(service.endpoint, ctx.accountId, ctx.region, () => ctx.now());
  state.registry = queues;
  try {
    for (const queue of options.queues ?? []) {
      if (typeof queue === "string") queues.create(queue);
      else queues.create(queue.name, queue.attributes ?? {});
    }
    if (options.latencyMs !== undefined) service.faults.setLatency(options.latencyMs);
  } catch (error) {
    await service.close();
    throw error;
  }

  return extendHandle<FakeSqsHandle>(service, {
    queueUrl: (name, accountId) => queues.urlOf(name, accountId),
    queueNames: (accountId) => queues.names(accountId),
    createQueue: (name, attributes = {}, accountId) => queues.create(name, attributes, accountId).url,
    deleteQueue: (name) => queues.delete(name),
    sendMessage(queueName, body, init = {}) {
      const entry: JsonObject = { MessageBody: body };
      if (init.delaySeconds !== undefined) entry.DelaySeconds = init.delaySeconds;
      if (init.messageGroupId !== undefined) entry.MessageGroupId = init.messageGroupId;
      if (init.messageDeduplicationId !== undefined) entry.MessageDeduplicationId = init.messageDeduplicationId;
      if (init.messageAttributes !== undefined) {
        const attributes: Record<string, JsonObject> = {};
        for (const [name, value] of Object.entries(init.messageAttributes)) {
          attributes[name] = {
            DataType: value.DataType,
            ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
            ...(value.BinaryValue !== undefined ? { BinaryValue: Buffer.from(value.BinaryValue).toString("base64") } : {}),
          };
        }
        entry.MessageAttributes = attributes;
      }
      const result = sendOne(queues.require(queueName), entry, `${ctx.accountId}`);
      return result.MessageId as string;
    },
    messageCount: (name) => queues.require(name).counts().total,
    counts: (name) => queues.require(name).counts(),
    messages: (name) =>
      queues
        .require(name)
        .messages()
        .filter((m) => m.state !== "deleted")
        .map((m) => ({
          messageId: m.id,
          body: m.body,
          messageAttributes: Object.fromEntries(
            Object.entries(m.attributes).map(([key, value]) => [
              key,
              value.BinaryValue !== undefined
                ? { DataType: value.DataType, BinaryValue: new Uint8Array(value.BinaryValue) }
                : { DataType: value.DataType, StringValue: value.StringValue! },
            ]),
          ),
          state: m.state as Exclude<MessageState, "deleted">,
          receiveCount: m.receiveCount,
          sentTimestamp: m.sentAt,
          visibleAt: m.visibleAt,
          ...(m.groupId !== undefined ? { messageGroupId: m.groupId } : {}),
          ...(m.sequenceNumber !== undefined ? { sequenceNumber: m.sequenceNumber } : {}),
          ...(m.deadLetterSourceArn !== undefined ? { deadLetterQueueSourceArn: m.deadLetterSourceArn } : {}),
        })),
    purge: (name) => queues.require(name).purge(false),
    failBatchEntries: (count, fault) => entryFaults.failNext(count, fault),
    close: async () => {
      queues.close();
      await service.close();
    },
  });
}
