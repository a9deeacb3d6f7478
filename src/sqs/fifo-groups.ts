/**
 * FIFO scheduling for `consume`, as pure state: tasks (one message, or one group's batch) are lined up
 * per message group in receive order; a group runs one task at a time; different groups run side by
 * side. When a task fails, what is still waiting in its group is handed back (to be released in order,
 * not handled), because handling it would overtake the failed message. No timers, no I/O: the consumer
 * asks what to start and what to release.
 */
import type { Message, MessageSystemAttributeName } from "@aws-sdk/client-sqs";

/**
 * Whether a queue URL names a FIFO queue (its name ends in `.fifo`).
 *
 * @example
 * ```ts
 * isFifoQueueUrl("https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo"); // true
 * ```
 */
export function isFifoQueueUrl(queueUrl: string): boolean {
  let path = queueUrl;
  try {
    path = new URL(queueUrl).pathname;
  } catch {
    // Not a URL: judge the string itself.
  }
  return /\.fifo\/?$/.test(path);
}

/**
 * The group a received message belongs to: its `MessageGroupId`, or, when SQS sent none (a standard
 * queue consumed with `fifo: true`), a group of its own so unrelated messages never wait for each other.
 */
export function groupOf(message: Message): string {
  const group = message.Attributes?.MessageGroupId;
  return group !== undefined ? `g:${group}` : `m:${message.MessageId ?? message.ReceiptHandle ?? ""}`;
}

/**
 * The system attributes a FIFO consumer asks for: the user's, plus `MessageGroupId` (the scheduler
 * needs it) unless `All` is there already.
 *
 * @example
 * ```ts
 * fifoSystemAttributeNames(["ApproximateReceiveCount"]); // ["ApproximateReceiveCount", "MessageGroupId"]
 * ```
 */
export function fifoSystemAttributeNames(names: MessageSystemAttributeName[] | undefined): MessageSystemAttributeName[] | undefined {
  if (names === undefined || names.includes("All") || names.includes("MessageGroupId")) return names;
  return [...names, "MessageGroupId"];
}

/**
 * Splits one receive into its groups, keeping receive order within each group and the order in which
 * groups first appear.
 *
 * @example
 * ```ts
 * splitByGroup(["a1", "b1", "a2"], (s) => s[0]!); // [["a", ["a1", "a2"]], ["b", ["b1"]]]
 * ```
 */
export function splitByGroup<T>(items: readonly T[], key: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [item]);
    else list.push(item);
  }
  return [...groups];
}

/** A task to start now, and its group. */
export interface GroupStart<T> {
  group: string;
  task: T[];
}

/** What to do when a group's running task ends. */
export interface GroupOutcome<T> {
  /** Tasks to start now: the group's next one (its predecessor succeeded), or another group's turn. */
  start: GroupStart<T>[];
  /** Items that must not run (behind the failure): make them visible again, in this order. */
  release: T[];
  /** The group has nothing left in hand. */
  idle: boolean;
}

/**
 * One line of tasks per message group, at most one task of a group running, at most `maxRunning` groups
 * running at once; groups ready beyond that take their turn in the order they became ready.
 *
 * @example
 * ```ts
 * const groups = new FifoGroups<string>(1);
 * groups.add("A", ["a1"]); // [{ group: "A", task: ["a1"] }]: start it
 * groups.add("A", ["a2"]); // []: waits for a1
 * groups.add("B", ["b1"]); // []: waits for a run slot
 * groups.finished("A", true); // { start: [{ group: "A", task: ["a2"] }], release: [], idle: false }
 * groups.finished("A", false); // { start: [{ group: "B", task: ["b1"] }], release: [], idle: true }
 * ```
 */
export class FifoGroups<T> {
  readonly #maxRunning: number;
  /** Tasks not started yet, per group in hand (running or ready). */
  readonly #lines = new Map<string, T[][]>();
  readonly #running = new Set<string>();
  /** Groups with a task to run and no run slot yet, oldest first. */
  readonly #ready: string[] = [];

  constructor(maxRunning = Infinity) {
    this.#maxRunning = maxRunning;
  }

  /** Groups with a task running. */
  get running(): number {
    return this.#running.size;
  }

  /** Groups in hand: running, or waiting for a run slot. */
  get inHand(): number {
    return this.#lines.size;
  }

  /** Items waiting to run. */
  get waiting(): number {
    let n = 0;
    for (const line of this.#lines.values()) for (const task of line) n += task.length;
    return n;
  }

  /** Whether a group is in hand (a new group takes a poller slot). */
  has(group: string): boolean {
    return this.#lines.has(group);
  }

  /** Lines up a task; returns what may start now (this task, if its group may run). */
  add(group: string, task: T[]): GroupStart<T>[] {
    const line = this.#lines.get(group);
    if (line !== undefined) {
      line.push(task);
      return [];
    }
    this.#lines.set(group, [task]);
    this.#ready.push(group);
    return this.#fill();
  }

  /**
   * The running task of `group` ended. On success its next task starts (the group keeps its run slot);
   * on failure every task still waiting in the group is handed back for release, in order. A group with
   * nothing left leaves, and the next ready group gets the run slot.
   */
  finished(group: string, ok: boolean): GroupOutcome<T> {
    this.#running.delete(group);
    const line = this.#lines.get(group) ?? [];
    if (ok && line.length > 0) {
      this.#running.add(group);
      return { start: [{ group, task: line.shift()! }], release: [], idle: false };
    }
    this.#lines.delete(group);
    return { start: this.#fill(), release: line.flat(), idle: true };
  }

  /**
   * Stopping: every task not started, group by group in order; running tasks are left to finish. Returns
   * the items to release and the groups that left (those that were not running).
   */
  drain(): { release: T[]; idle: string[] } {
    const release: T[] = [];
    const idle: string[] = [];
    for (const [group, line] of this.#lines) {
      release.push(...line.flat());
      if (this.#running.has(group)) this.#lines.set(group, []);
      else {
        this.#lines.delete(group);
        idle.push(group);
      }
    }
    this.#ready.length = 0;
    return { release, idle };
  }

  #fill(): GroupStart<T>[] {
    const start: GroupStart<T>[] = [];
    while (this.#running.size < this.#maxRunning && this.#ready.length > 0) {
      const group = this.#ready.shift()!;
      const line = this.#lines.get(group);
      if (line === undefined || line.length === 0) continue;
      this.#running.add(group);
      start.push({ group, task: line.shift()! });
    }
    return start;
  }
}
