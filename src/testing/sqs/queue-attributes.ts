/**
 * Queue attributes: which can be set (with SQS's ranges and defaults), and how `GetQueueAttributes`
 * reports them, including the approximate counts.
 */
import { sqsError } from "./errors.js";
import { DEFAULT_MAXIMUM_MESSAGE_SIZE, type FakeQueue } from "./queue.js";
import { checkRedriveAllowPolicy, parseRedrivePolicy } from "./redrive.js";

interface NumericRule {
  min: number;
  max: number;
  fallback: number;
}

const NUMERIC: Record<string, NumericRule> = {
  DelaySeconds: { min: 0, max: 900, fallback: 0 },
  MaximumMessageSize: { min: 1024, max: DEFAULT_MAXIMUM_MESSAGE_SIZE, fallback: DEFAULT_MAXIMUM_MESSAGE_SIZE },
  MessageRetentionPeriod: { min: 60, max: 1_209_600, fallback: 345_600 },
  ReceiveMessageWaitTimeSeconds: { min: 0, max: 20, fallback: 0 },
  VisibilityTimeout: { min: 0, max: 43_200, fallback: 30 },
  KmsDataKeyReusePeriodSeconds: { min: 60, max: 86_400, fallback: 300 },
};

/** Settable attributes stored as given (RedrivePolicy and RedriveAllowPolicy checked in redrive.ts). */
const OPAQUE = new Set(["Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId", "SqsManagedSseEnabled"]);
/** FIFO queue attributes, with the values SQS accepts and their defaults. */
const FIFO_ONLY: Readonly<Record<string, { values: readonly string[]; fallback: string }>> = {
  FifoQueue: { values: ["true"], fallback: "true" },
  ContentBasedDeduplication: { values: ["true", "false"], fallback: "false" },
  DeduplicationScope: { values: ["messageGroup", "queue"], fallback: "queue" },
  FifoThroughputLimit: { values: ["perQueue", "perMessageGroupId"], fallback: "perQueue" },
};

const READ_ONLY = [
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
  "CreatedTimestamp",
  "LastModifiedTimestamp",
  "QueueArn",
] as const;

function invalidValue(name: string, reason?: string): never {
  throw sqsError("InvalidAttributeValue", `Invalid value for the parameter ${name}.${reason === undefined ? "" : ` Reason: ${reason}`}`);
}

/**
 * Validates attributes for CreateQueue/SetQueueAttributes on a queue of the given type and returns them
 * normalized. FIFO attributes on a standard queue are unknown to it, as SQS says (`FifoQueue=false`
 * excepted); a FIFO queue's type cannot be changed. `DeduplicationScope` and `FifoThroughputLimit` are
 * accepted in any combination: SQS runs high throughput only for `messageGroup` + `perMessageGroupId`.
 */
export function validateQueueAttributes(attributes: Readonly<Record<string, string>>, fifo = false): Record<string, string> {
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
      if (name === "SqsManagedSseEnabled" && value !== "true" && value !== "false") invalidValue(name);
      // An empty Policy or RedrivePolicy removes it (recorded from AWS: LocalStack's test_set_empty_queue_policy
      // and test_set_empty_redrive_policy): kept here as "" for the caller to delete.
      if (name === "RedrivePolicy" && value !== "") parseRedrivePolicy(value);
      if (name === "RedriveAllowPolicy") checkRedriveAllowPolicy(value);
      out[name] = value;
    } else if (FIFO_ONLY[name] !== undefined) {
      if (name === "FifoQueue" && value === "false" && !fifo) continue;
      if (name === "FifoQueue" && value !== "true" && value !== "false") invalidValue(name);
      if (name === "FifoQueue" && fifo !== (value === "true")) invalidValue(name, "Modifying queue type is not supported.");
      if (!fifo) throw sqsError("InvalidAttributeName", `Unknown Attribute ${name}.`);
      if (!FIFO_ONLY[name].values.includes(value)) invalidValue(name);
      out[name] = value;
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
  if (queue.fifo) return FIFO_ONLY[name]?.fallback;
  return undefined;
}

/** `GetQueueAttributes`: `All` or the listed names; an unknown name is `InvalidAttributeName`. */
export function readQueueAttributes(queue: FakeQueue, requested: readonly string[]): Record<string, string> {
  const known = new Set<string>([...Object.keys(NUMERIC), ...OPAQUE, ...Object.keys(FIFO_ONLY), ...READ_ONLY]);
  for (const name of requested) {
    if (name !== "All" && !known.has(name)) throw sqsError("InvalidAttributeName", `Unknown Attribute ${name}.`);
  }
  const all = requested.includes("All");
  const names = all ? [...Object.keys(NUMERIC), ...OPAQUE, ...(queue.fifo ? Object.keys(FIFO_ONLY) : []), ...READ_ONLY] : [...new Set(requested)];
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
