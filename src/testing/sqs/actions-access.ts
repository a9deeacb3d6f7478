/**
 * Tags and permissions of a queue: TagQueue, UntagQueue, ListQueueTags, AddPermission, RemovePermission.
 * Shapes and errors as recorded from AWS in LocalStack's `test_tag_untag_queue` and
 * `test_sqs_permission_lifecycle` snapshots.
 */
import { queueOf, type ActionHandler } from "./action-context.js";
import { invalidParameter } from "./errors.js";
import { optionalStringList, optionalStringMap, requiredString, missing } from "./input.js";
import { addPermission, removePermission } from "./queue-policy.js";

const MAX_TAGS = 50;

export const tagQueue: ActionHandler = (input, context) => {
  const queue = queueOf(input, context);
  const tags = optionalStringMap(input, "Tags") ?? missing("Tags");
  const merged = new Map([...queue.tags, ...Object.entries(tags)]);
  if (merged.size > MAX_TAGS) throw invalidParameter(`Too many tags added for queue ${queue.name}.`);
  for (const [key, value] of Object.entries(tags)) queue.tags.set(key, value);
  return {};
};

export const untagQueue: ActionHandler = (input, context) => {
  const queue = queueOf(input, context);
  // Keys that are not there are ignored, as SQS does.
  for (const key of optionalStringList(input, "TagKeys") ?? missing("TagKeys")) queue.tags.delete(key);
  return {};
};

export const listQueueTags: ActionHandler = (input, context) => {
  const queue = queueOf(input, context);
  // No tags: the answer has no `Tags` member at all.
  return queue.tags.size === 0 ? {} : { Tags: Object.fromEntries(queue.tags) };
};

export const addPermissionAction: ActionHandler = (input, context) => {
  const queue = queueOf(input, context);
  const label = requiredString(input, "Label");
  const accounts = optionalStringList(input, "AWSAccountIds") ?? missing("AWSAccountIds");
  const actions = optionalStringList(input, "Actions") ?? missing("Actions");
  queue.attributes.set("Policy", addPermission(queue.attributes.get("Policy"), queue.arn, label, accounts, actions));
  queue.lastModifiedAt = context.registry.now();
  return {};
};

export const removePermissionAction: ActionHandler = (input, context) => {
  const queue = queueOf(input, context);
  const policy = removePermission(queue.attributes.get("Policy"), requiredString(input, "Label"));
  if (policy === undefined) queue.attributes.delete("Policy");
  else queue.attributes.set("Policy", policy);
  queue.lastModifiedAt = context.registry.now();
  return {};
};
