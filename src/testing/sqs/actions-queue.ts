/**
 * Queue-level actions: CreateQueue, GetQueueUrl, GetQueueAttributes, SetQueueAttributes, ListQueues,
 * DeleteQueue, PurgeQueue. Request and response members are those of `@aws-sdk/client-sqs`.
 */
import type { ActionHandler } from "./action-context.js";
import { sqsError } from "./errors.js";
import { optionalInteger, optionalString, optionalStringList, optionalStringMap, requiredString } from "./input.js";
import { readQueueAttributes, validateQueueAttributes } from "./queue-attributes.js";

export const createQueue: ActionHandler = (input, { registry }) => {
  const name = requiredString(input, "QueueName");
  const queue = registry.create(name, optionalStringMap(input, "Attributes") ?? {});
  return { QueueUrl: queue.url };
};

export const getQueueUrl: ActionHandler = (input, { registry }) => {
  const name = requiredString(input, "QueueName");
  const owner = optionalString(input, "QueueOwnerAWSAccountId");
  const queue = owner === undefined || owner === registry.accountId ? registry.byName(name) : undefined;
  if (queue === undefined) throw sqsError("QueueDoesNotExist", "The specified queue does not exist.");
  return { QueueUrl: queue.url };
};

export const getQueueAttributes: ActionHandler = (input, { registry }) => {
  const queue = registry.byUrl(requiredString(input, "QueueUrl"));
  const names = optionalStringList(input, "AttributeNames") ?? [];
  // SQS answers `{}` when no attribute names are asked for.
  if (names.length === 0) return {};
  return { Attributes: readQueueAttributes(queue, names) };
};

export const setQueueAttributes: ActionHandler = (input, { registry }) => {
  const queue = registry.byUrl(requiredString(input, "QueueUrl"));
  const attributes = validateQueueAttributes(optionalStringMap(input, "Attributes") ?? {}, queue.fifo);
  registry.checkRedrive(attributes, queue);
  for (const [name, value] of Object.entries(attributes)) queue.attributes.set(name, value);
  queue.lastModifiedAt = registry.now();
  return {};
};

export const listQueues: ActionHandler = (input, { registry }) => {
  const prefix = optionalString(input, "QueueNamePrefix") ?? "";
  const max = optionalInteger(input, "MaxResults");
  const urls = registry
    .names()
    .filter((name) => name.startsWith(prefix))
    .sort()
    .map((name) => registry.urlOf(name));
  return { QueueUrls: max === undefined ? urls.slice(0, 1000) : urls.slice(0, max) };
};

export const deleteQueue: ActionHandler = (input, { registry }) => {
  const queue = registry.byUrl(requiredString(input, "QueueUrl"));
  registry.delete(queue.name);
  return {};
};

export const purgeQueue: ActionHandler = (input, { registry, purgeCooldownMs }) => {
  const queue = registry.byUrl(requiredString(input, "QueueUrl"));
  const now = registry.now();
  if (queue.lastPurgeAt !== undefined && now - queue.lastPurgeAt < purgeCooldownMs) {
    throw sqsError(
      "PurgeQueueInProgress",
      `Only one PurgeQueue operation on ${queue.name} is allowed every ${Math.round(purgeCooldownMs / 1000)} seconds.`,
    );
  }
  queue.purge();
  return {};
};
