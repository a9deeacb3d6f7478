/**
 * Dead-letter queues: `RedrivePolicy` (`deadLetterTargetArn`, `maxReceiveCount` 1-1000) is checked as
 * SQS checks it when set (the target must exist and be of the same type, standard or FIFO), and a
 * message about to be received more than `maxReceiveCount` times is moved to the target instead,
 * keeping its id, body, attributes, sent time and receive count, with `DeadLetterQueueSourceArn` set.
 * `RedriveAllowPolicy` is checked for shape and stored.
 */
import { invalidParameter, sqsError } from "./errors.js";

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

function invalidRedrive(value: string, reason: string): never {
  throw invalidParameter(`Value ${value} for parameter RedrivePolicy is invalid. Reason: ${reason}`);
}

function jsonObject(value: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses a `RedrivePolicy` attribute (`""` removes the policy: `undefined`). Throws SQS's
 * `InvalidParameterValue` for a policy SQS refuses on its own; `target` checks what needs the queues.
 *
 * @example
 * ```ts
 * parseRedrivePolicy('{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dlq","maxReceiveCount":"3"}');
 * // { deadLetterTargetArn: "arn:aws:sqs:us-east-1:123456789012:dlq", maxReceiveCount: 3 }
 * ```
 */
export function parseRedrivePolicy(value: string): RedrivePolicy | undefined {
  if (value === "") return undefined;
  const policy = jsonObject(value);
  if (policy === undefined) invalidRedrive(value, "Redrive policy is not a valid JSON map.");
  const arn = policy.deadLetterTargetArn;
  if (typeof arn !== "string" || arn === "") invalidRedrive(value, "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
  const raw = policy.maxReceiveCount;
  if (raw === undefined) invalidRedrive(value, "Redrive policy does not contain mandatory attribute: maxReceiveCount.");
  const count = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    invalidRedrive(value, `Invalid value for maxReceiveCount: ${String(raw)}, valid values are from 1 to 1000 both inclusive.`);
  }
  return { deadLetterTargetArn: arn, maxReceiveCount: count };
}

/** The queue facts a redrive policy is checked against. */
export interface RedriveTarget {
  arn: string;
  fifo: boolean;
}

/** Checks a policy against the queues: the target exists, differs from the source and is of its type. */
export function checkRedriveTarget(value: string, source: RedriveTarget, target: RedriveTarget | undefined): void {
  if (target === undefined) invalidRedrive(value, "Dead letter target does not exist.");
  if (target.arn === source.arn) invalidRedrive(value, "Dead-letter queue cannot be the same as the source queue.");
  if (target.fifo !== source.fifo) invalidRedrive(value, "Dead-letter queue must be same type of queue as the source.");
}

const PERMISSIONS = new Set(["allowAll", "denyAll", "byQueue"]);

/** Checks a `RedriveAllowPolicy` for shape (which source queues may use this queue as their DLQ). */
export function checkRedriveAllowPolicy(value: string): void {
  if (value === "") return;
  const policy = jsonObject(value);
  const bad = (reason: string): never => {
    throw sqsError("InvalidAttributeValue", `Invalid value for the parameter RedriveAllowPolicy. Reason: ${reason}`);
  };
  if (policy === undefined) return bad("Amazon SQS can't create the redrive allow policy, as it's in an unsupported format.");
  const permission = policy.redrivePermission;
  if (typeof permission !== "string" || !PERMISSIONS.has(permission)) bad("redrivePermission must be allowAll, denyAll or byQueue.");
  const sources = policy.sourceQueueArns;
  if (permission === "byQueue") {
    if (!Array.isArray(sources) || sources.length === 0 || sources.length > 10 || sources.some((s) => typeof s !== "string")) {
      bad("With redrivePermission byQueue, sourceQueueArns must list 1 to 10 queue ARNs.");
    }
  } else if (sources !== undefined) {
    bad("sourceQueueArns is allowed only with redrivePermission byQueue.");
  }
}
