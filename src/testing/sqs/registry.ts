/**
 * The queues of one fake SQS, and how queue URLs (`http://127.0.0.1:PORT/ACCOUNT/NAME`) map to them.
 */
import { invalidParameter, sqsError } from "./errors.js";
import { conflictingAttribute, validateQueueAttributes } from "./queue-attributes.js";
import { FakeQueue } from "./queue.js";
import { checkRedriveTarget, parseRedrivePolicy } from "./redrive.js";

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;

export class QueueRegistry {
  readonly #queues = new Map<string, FakeQueue>();

  constructor(
    readonly endpoint: string,
    readonly accountId: string,
    readonly region: string,
    readonly now: () => number,
  ) {}

  urlOf(name: string): string {
    return `${this.endpoint}/${this.accountId}/${name}`;
  }

  names(): string[] {
    return [...this.#queues.keys()];
  }

  all(): FakeQueue[] {
    return [...this.#queues.values()];
  }

  /**
   * CreateQueue semantics: idempotent for equal attributes, `QueueNameExists` for different ones. A FIFO
   * queue needs both the `.fifo` name and `FifoQueue=true`, as in SQS.
   */
  create(name: string, attributes: Readonly<Record<string, string>> = {}): FakeQueue {
    const fifo = attributes.FifoQueue === "true";
    if (fifo && !FIFO_QUEUE_NAME.test(name)) {
      throw invalidParameter(
        "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.",
      );
    }
    if (!fifo && !QUEUE_NAME.test(name)) {
      throw invalidParameter("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
    }
    const normalized = validateQueueAttributes(attributes, fifo);
    const arn = `arn:aws:sqs:${this.region}:${this.accountId}:${name}`;
    this.checkRedrive(normalized, { arn, fifo });
    const existing = this.#queues.get(name);
    if (existing !== undefined) {
      const conflict = conflictingAttribute(existing, normalized);
      if (conflict !== undefined) {
        throw sqsError("QueueNameExists", `A queue already exists with the same name and a different value for attribute ${conflict}`);
      }
      return existing;
    }
    const queue = new FakeQueue(name, this.urlOf(name), arn, normalized, this.now, fifo, (target) => this.byArn(target));
    this.#queues.set(name, queue);
    return queue;
  }

  byName(name: string): FakeQueue | undefined {
    return this.#queues.get(name);
  }

  /** The queue an ARN of this fake's account and region names. */
  byArn(arn: string): FakeQueue | undefined {
    const prefix = `arn:aws:sqs:${this.region}:${this.accountId}:`;
    return arn.startsWith(prefix) ? this.#queues.get(arn.slice(prefix.length)) : undefined;
  }

  /** Checks a `RedrivePolicy` among normalized attributes against the queues (target exists, same type). */
  checkRedrive(attributes: Readonly<Record<string, string>>, source: { arn: string; fifo: boolean }): void {
    const value = attributes.RedrivePolicy;
    const policy = value === undefined ? undefined : parseRedrivePolicy(value);
    if (policy === undefined) return;
    const target = this.byArn(policy.deadLetterTargetArn);
    checkRedriveTarget(value!, source, target === undefined ? undefined : { arn: target.arn, fifo: target.fifo });
  }

  /** The queue a `QueueUrl` names. Any host is accepted (clients may say `localhost`); the path decides. */
  byUrl(queueUrl: string): FakeQueue {
    let url: URL;
    try {
      url = new URL(queueUrl);
    } catch {
      throw sqsError("InvalidAddress", `The address ${queueUrl} is not valid for this endpoint.`);
    }
    const parts = url.pathname.split("/").filter((p) => p !== "");
    if (parts.length !== 2) throw sqsError("InvalidAddress", `The address ${queueUrl} is not valid for this endpoint.`);
    const [account, name] = parts as [string, string];
    let decoded: string | undefined;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      decoded = undefined;
    }
    const queue = account === this.accountId && decoded !== undefined ? this.#queues.get(decoded) : undefined;
    if (queue === undefined) throw sqsError("QueueDoesNotExist", "The specified queue does not exist.");
    return queue;
  }

  /** Same as `byName`, but throws `QueueDoesNotExist` (for the test helpers). */
  require(name: string): FakeQueue {
    const queue = this.#queues.get(name);
    if (queue === undefined) throw sqsError("QueueDoesNotExist", `The specified queue does not exist: ${name}`);
    return queue;
  }

  delete(name: string): boolean {
    const queue = this.#queues.get(name);
    if (queue === undefined) return false;
    queue.purge(false);
    queue.close();
    return this.#queues.delete(name);
  }

  close(): void {
    for (const queue of this.#queues.values()) queue.close();
  }
}
