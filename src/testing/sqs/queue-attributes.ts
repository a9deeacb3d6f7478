/**
 * Queue attributes: which can be set (with SQS's ranges and defaults), and how `GetQueueAttributes`
 * reports them, including the approximate counts.
 */
import { sqsError } from "./errors.js";
import type { FakeQueue } from "./queue.js";

interface NumericRule {
  min: number;
  max: number;
  fallback: number;
}

const NUMERIC: Record<string, NumericRule> = {
  DelaySeconds: { min: 0, max: 900, fallback: 0 },
  MaximumMessageSize: { min: 1024, max: 1_048_576, fallback: 262_144 },
  MessageRetentionPeriod: { min: 60, max: 1_209_600, fallback: 345_600 },
  ReceiveMessageWaitTimeSeconds: { min: 0, max: 20, fallback: 0 },
  VisibilityTimeout: { min: 0, max: 43_200, fallback: 30 },
  KmsDataKeyReusePeriodSeconds: { min: 60, max: 86_400, fallback: 300 },
};

/** Settable attributes stored as given, not interpreted by the fake. */
const OPAQUE = new Set(["Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId", "SqsManagedSseEnabled"]);
const FIFO_ONLY = new Set(["FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"]);

const READ_ONLY = [
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
  "CreatedTimestamp",
  "LastModifiedTimestamp",
  "QueueArn",
] as const;

/** Validates attributes for CreateQueue/SetQueueAttributes and returns them normalized. */
export function validateQueueAttributes(attributes: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes)) {
    const rule = NUMERIC[name];
    if (rule !== undefined) {
      const n = Number(value.trim());
      if (value.trim() === "" || !Number.isInteger(n) || n < rule.min || n > rule.max) {
        throw sqsError("InvalidAttributeValue", `Invalid value for the parameter ${name}.`);
      }
      out[name] = String(n);
    } else if (OPAQUE.has(name)) {
      if (name === "SqsManagedSseEnabled" && value !== "true" && value !== "false") {
        throw sqsError("InvalidAttributeValue", `Invalid value for the parameter ${name}.`);
      }
      out[name] = value;
    } else if (FIFO_ONLY.has(name)) {
      if (name === "FifoQueue" && value === "false") continue;
      throw sqsError("UnsupportedOperation", `The fake SQS supports standard queues only; ${name} is a FIFO queue attribute.`);
    } else {
      throw sqsError("InvalidAttributeName", `Unknown Attribute ${name}.`);
    }
  }
  return out;
}

/** The value an attribute has on a queue, explicitly set or by default. */
function settableValue(queue: FakeQueue, name: string): string | undefined {
  const set = queue.attributes.get(name);
  if (set !== undefined) return set;
  const rule = NUMERIC[name];
  if (rule !== undefined && name !== "KmsDataKeyReusePeriodSeconds") return String(rule.fallback);
  if (name === "SqsManagedSseEnabled") return "true";
  return undefined;
}

/** `GetQueueAttributes`: `All` or the listed names; an unknown name is `InvalidAttributeName`. */
export function readQueueAttributes(queue: FakeQueue, requested: readonly string[]): Record<string, string> {
  const known = new Set<string>([...Object.keys(NUMERIC), ...OPAQUE, ...FIFO_ONLY, ...READ_ONLY]);
  for (const name of requested) {
    if (name !== "All" && !known.has(name)) throw sqsError("InvalidAttributeName", `Unknown Attribute ${name}.`);
  }
  const all = requested.includes("All");
  const names = all ? [...Object.keys(NUMERIC), ...OPAQUE, ...READ_ONLY] : [...new Set(requested)];
  const counts = names.some((n) => n.startsWith("Approximate")) ? queue.counts() : undefined;
  const out: Record<string, string> = {};
  for (const name of names) {
    let value: string | undefined;
    switch (name) {
      case "ApproximateNumberOfMessages":
        value = String(counts!.visible);
        break;
      case "ApproximateNumberOfMessagesNotVisible":
        value = String(counts!.inFlight);
        break;
      case "ApproximateNumberOfMessagesDelayed":
        value = String(counts!.delayed);
        break;
      case "CreatedTimestamp":
        value = String(Math.floor(queue.createdAt / 1000));
        break;
      case "LastModifiedTimestamp":
        value = String(Math.floor(queue.lastModifiedAt / 1000));
        break;
      case "QueueArn":
        value = queue.arn;
        break;
      default:
        value = settableValue(queue, name);
    }
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** The name of the first attribute whose requested value differs from the queue's (CreateQueue on an existing name). */
export function conflictingAttribute(queue: FakeQueue, requested: Readonly<Record<string, string>>): string | undefined {
  return Object.keys(requested).find((name) => settableValue(queue, name) !== requested[name]);
}
