/**
 * Queue-level actions: CreateQueue, GetQueueUrl, GetQueueAttributes, SetQueueAttributes, ListQueues,
 * DeleteQueue, PurgeQueue, ListDeadLetterSourceQueues. Request and response members are those of
 * `@aws-sdk/client-sqs`. Queue URLs in answers are built on the host the client used.
 */
import { queueOf, type ActionContext, type ActionHandler } from "./action-context.js";
import { sqsError } from "./errors.js";
import { optionalInteger, optionalString, optionalStringList, optionalStringMap, requiredString } from "./input.js";
import { policyAllows } from "./queue-policy.js";
import { readQueueAttributes, validateQueueAttributes } from "./queue-attributes.js";
import type { FakeQueue } from "./queue.js";
import { accountOfQueue, EMPTY_REMOVES, queueDoesNotExist } from "./registry.js";

/** The URL of `queue` as this caller should see it: on the host it used. */
export function urlFor(queue: FakeQueue, context: ActionContext): string {
  return context.registry.urlOf(queue.name, accountOfQueue(queue), context.baseUrl);
}

export const createQueue: ActionHandler = (input, context) => {
  const name = requiredString(input, "QueueName");
  const queue = context.registry.create(name, optionalStringMap(input, "Attributes") ?? {}, context.caller.account, optionalStringMap(input, "tags") ?? {});
  return { QueueUrl: urlFor(queue, context) };
};

export const getQueueUrl: ActionHandler = (input, context) => {
  const name = requiredString(input, "QueueName");
  const owner = optionalString(input, "QueueOwnerAWSAccountId") ?? context.caller.account;
  const queue = context.registry.byName(name, owner);
  // Another account's queue is visible only when its policy grants GetQueueUrl; SQS does not say which it is.
  if (queue === undefined || (owner !== context.caller.account && !policyAllows(queue.attributes.get("Policy"), context.caller, "GetQueueUrl"))) {
    throw queueDoesNotExist();
  }
  return { QueueUrl: urlFor(queue, context) };
};

export const getQueueAttributes: ActionHandler = (input, context) => {
  const queue = queueOf(input, context);
  const names = optionalStringList(input, "AttributeNames") ?? [];
  // SQS answers `{}` when no attribute names are asked for.
  if (names.length === 0) return {};
  return { Attributes: readQueueAttributes(queue, names) };
};

export const setQueueAttributes: ActionHandler = (input, context) => {
  const queue = queueOf(input, context);
  const attributes = validateQueueAttributes(optionalStringMap(input, "Attributes") ?? {}, queue.fifo);
  context.registry.checkRedrive(attributes, queue);
  for (const [name, value] of Object.entries(attributes)) {
    // SQS removes a Policy or RedrivePolicy set to "" (GetQueueAttributes then omits it).
    if (value === "" && (EMPTY_REMOVES as readonly string[]).includes(name)) queue.attributes.delete(name);
    else queue.attributes.set(name, value);
  }
  queue.lastModifiedAt = context.registry.now();
  return {};
};

export const listQueues: ActionHandler = (input, context) => {
  const prefix = optionalString(input, "QueueNamePrefix") ?? "";
  const max = optionalInteger(input, "MaxResults");
  const account = context.caller.account;
  const urls = context.registry
    .names(account)
    .filter((name) => name.startsWith(prefix))
    .sort()
    .map((name) => context.registry.urlOf(name, account, context.baseUrl));
  return { QueueUrls: max === undefined ? urls.slice(0, 1000) : urls.slice(0, max) };
};

export const listDeadLetterSourceQueues: ActionHandler = (input, context) => {
  const target = queueOf(input, context);
  const sources = context.registry
    .all()
    .filter((queue) => queue.redrivePolicy?.deadLetterTargetArn === target.arn)
    .map((queue) => urlFor(queue, context))
    .sort();
  return { queueUrls: sources };
};

export const deleteQueue: ActionHandler = (input, context) => {
  const queue = queueOf(input, context);
  context.registry.delete(queue.name, accountOfQueue(queue));
  return {};
};

export const purgeQueue: ActionHandler = (input, context) => {
  const queue = queueOf(input, context);
  const now = context.registry.now();
  if (queue.lastPurgeAt !== undefined && now - queue.lastPurgeAt < context.purgeCooldownMs) {
    throw sqsError(
      "PurgeQueueInProgress",
      `Only one PurgeQueue operation on ${queue.name} is allowed every ${Math.round(context.purgeCooldownMs / 1000)} seconds.`,
    );
  }
  queue.purge();
  return {};
};
