/**
 * The queues of one fake SQS, per account, and how a `QueueUrl` (`http://HOST/ACCOUNT/NAME`, or a bare
 * queue name) maps to them for a caller. Queues belong to the account of the credentials that created them;
 * another account reaches one only through its URL, and only when the queue's `Policy` allows it.
 */
import type { FakeAwsError } from "../core/fake-service.js";
import { invalidParameter, sqsError } from "./errors.js";
import { policyAllows, type PolicyCaller } from "./queue-policy.js";
import { conflictingAttribute, validateQueueAttributes } from "./queue-attributes.js";
import { FakeQueue } from "./queue.js";
import { checkRedriveTarget, parseRedrivePolicy } from "./redrive.js";

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;
/** Attributes that an empty value removes rather than sets. */
export const EMPTY_REMOVES = ["Policy", "RedrivePolicy"] as const;
const SQS_ARN = /^arn:[^:]+:sqs:([^:]+):(\d{12}):(.+)$/;

/** SQS's answer for a queue that does not exist, or (GetQueueUrl of another account) that the caller may not see. */
export const queueDoesNotExist = (): FakeAwsError => sqsError("QueueDoesNotExist", "The specified queue does not exist.");

/** The account a queue ARN names. */
export function accountOfQueue(queue: FakeQueue): string {
  return SQS_ARN.exec(queue.arn)?.[2] ?? "";
}

export class QueueRegistry {
  readonly #accounts = new Map<string, Map<string, FakeQueue>>();

  constructor(
    readonly endpoint: string,
    /** The account of the test helpers (`fake.sqs.createQueue`, `queueUrl`, …): the fake's own. */
    readonly accountId: string,
    readonly region: string,
    readonly now: () => number,
  ) {}

  #queuesOf(account: string): Map<string, FakeQueue> {
    let queues = this.#accounts.get(account);
    if (queues === undefined) {
      queues = new Map();
      this.#accounts.set(account, queues);
    }
    return queues;
  }

  /** A queue's URL, on `base` (the host the client used, or the fake's endpoint). */
  urlOf(name: string, account = this.accountId, base = this.endpoint): string {
    return `${base}/${account}/${name}`;
  }

  names(account = this.accountId): string[] {
    return [...(this.#accounts.get(account)?.keys() ?? [])];
  }

  all(): FakeQueue[] {
    return [...this.#accounts.values()].flatMap((queues) => [...queues.values()]);
  }

  /**
   * CreateQueue semantics: idempotent for equal attributes, `QueueNameExists` for different ones. A FIFO
   * queue needs both the `.fifo` name and `FifoQueue=true`, as in SQS.
   */
  create(name: string, attributes: Readonly<Record<string, string>> = {}, account = this.accountId, tags: Readonly<Record<string, string>> = {}): FakeQueue {
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
    // CreateQueue with an empty Policy/RedrivePolicy sets nothing, as SetQueueAttributes with one removes it.
    for (const key of EMPTY_REMOVES) if (normalized[key] === "") delete normalized[key];
    const arn = `arn:aws:sqs:${this.region}:${account}:${name}`;
    this.checkRedrive(normalized, { arn, fifo });
    const queues = this.#queuesOf(account);
    const existing = queues.get(name);
    if (existing !== undefined) {
      const conflict = conflictingAttribute(existing, normalized);
      if (conflict !== undefined) {
        throw sqsError("QueueNameExists", `A queue already exists with the same name and a different value for attribute ${conflict}`);
      }
      return existing;
    }
    const queue = new FakeQueue(name, this.urlOf(name, account), arn, normalized, this.now, fifo, (target) => this.byArn(target));
    for (const [key, value] of Object.entries(tags)) queue.tags.set(key, value);
    queues.set(name, queue);
    return queue;
  }

  byName(name: string, account = this.accountId): FakeQueue | undefined {
    return this.#accounts.get(account)?.get(name);
  }

  /** The queue an ARN of this fake's region names, in any account. */
  byArn(arn: string): FakeQueue | undefined {
    const parts = SQS_ARN.exec(arn);
    return parts !== null && parts[1] === this.region ? this.byName(parts[3]!, parts[2]!) : undefined;
  }

  /**
   * Checks a `RedrivePolicy` among normalized attributes against the queues (target exists in the source's
   * account, same type). SQS keeps a dead-letter queue in the account and region of its source.
   */
  checkRedrive(attributes: Readonly<Record<string, string>>, source: { arn: string; fifo: boolean }): void {
    const value = attributes.RedrivePolicy;
    const policy = value === undefined || value === "" ? undefined : parseRedrivePolicy(value);
    if (policy === undefined) return;
    const found = this.byArn(policy.deadLetterTargetArn);
    const target = found !== undefined && SQS_ARN.exec(found.arn)?.[2] === SQS_ARN.exec(source.arn)?.[2] ? found : undefined;
    checkRedriveTarget(value!, source, target === undefined ? undefined : { arn: target.arn, fifo: target.fifo });
  }

  /**
   * The queue a `QueueUrl` names, for `caller` running `action`. Any host is accepted (clients may say
   * `localhost`); the path decides. A bare queue name is resolved in the caller's account, as SQS does.
   * A URL without `/ACCOUNT/NAME` names no queue (`QueueDoesNotExist`, as SQS answers JSON clients).
   * A queue of another account needs its policy's permission for `action`, else `AccessDenied`.
   */
  resolve(queueUrl: string, caller: PolicyCaller, action: string): FakeQueue {
    let account: string;
    let name: string | undefined;
    if (QUEUE_NAME.test(queueUrl) || FIFO_QUEUE_NAME.test(queueUrl)) {
      account = caller.account;
      name = queueUrl;
    } else {
      const parts = pathOf(queueUrl).split("/").filter((p) => p !== "");
      if (parts.length !== 2 || !/^\d{12}$/.test(parts[0]!)) throw queueDoesNotExist();
      account = parts[0]!;
      name = decoded(parts[1]!);
    }
    const queue = name === undefined ? undefined : this.byName(name, account);
    if (queue === undefined) throw queueDoesNotExist();
    if (account !== caller.account && !policyAllows(queue.attributes.get("Policy"), caller, action)) {
      throw sqsError("AccessDenied", `Access to the resource ${queue.url.replace(/^https?:\/\/[^/]+/, `https://sqs.${this.region}.amazonaws.com`)} is denied.`);
    }
    return queue;
  }

  /** Same as `byName`, but throws `QueueDoesNotExist` (for the test helpers). */
  require(name: string, account = this.accountId): FakeQueue {
    const queue = this.byName(name, account);
    if (queue === undefined) throw sqsError("QueueDoesNotExist", `The specified queue does not exist: ${name}`);
    return queue;
  }

  delete(name: string, account = this.accountId): boolean {
    const queue = this.byName(name, account);
    if (queue === undefined) return false;
    queue.purge(false);
    queue.close();
    return this.#accounts.get(account)!.delete(name);
  }

  close(): void {
    for (const queue of this.all()) queue.close();
  }
}

/** The path of a URL (`http://h/1/q` → `/1/q`); a string no URL parser takes has none. */
function pathOf(queueUrl: string): string {
  try {
    return new URL(queueUrl).pathname;
  } catch {
    return "";
  }
}

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
