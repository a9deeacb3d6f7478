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

/** What to do when a group's running task ends. */
export interface GroupOutcome<T> {
  /** The group's next task, to start now (its predecessor succeeded). */
  next?: T[];
  /** Tasks' items that must not run: make them visible again, in this order. */
  release: T[];
}

/**
 * One line of waiting tasks per message group, at most one task of a group running.
 *
 * @example
 * ```ts
 * const groups = new FifoGroups<string>();
 * groups.add("A", ["a1"]); // ["a1"]: start it
 * groups.add("A", ["a2"]); // undefined: waits for a1
 * groups.finished("A", true); // { next: ["a2"], release: [] }
 * groups.finished("A", false); // { release: [] } (nothing was waiting)
 * ```
 */
export class FifoGroups<T> {
  readonly #waiting = new Map<string, T[][]>();
  readonly #running = new Set<string>();

  /** Groups with a task running. */
  get running(): number {
    return this.#running.size;
  }

  /** Items waiting behind a running task of their group. */
  get waiting(): number {
    let n = 0;
    for (const line of this.#waiting.values()) for (const task of line) n += task.length;
    return n;
  }

  /** Lines up a task; returns it when it may start now (its group was idle), otherwise `undefined`. */
  add(group: string, task: T[]): T[] | undefined {
    if (!this.#running.has(group)) {
      this.#running.add(group);
      return task;
    }
    const line = this.#waiting.get(group);
    if (line === undefined) this.#waiting.set(group, [task]);
    else line.push(task);
    return undefined;
  }

  /**
   * The running task of `group` ended. On success its next task (if any) starts; on failure every task
   * still waiting in the group is handed back for release, in order, and the group is idle again.
   */
  finished(group: string, ok: boolean): GroupOutcome<T> {
    const line = this.#waiting.get(group) ?? [];
    if (ok && line.length > 0) {
      const next = line.shift()!;
      if (line.length === 0) this.#waiting.delete(group);
      return { next, release: [] };
    }
    this.#waiting.delete(group);
    this.#running.delete(group);
    return { release: line.flat() };
  }

  /** Stopping: everything still waiting, group by group in order; running tasks are left to finish. */
  drain(): T[] {
    const all = [...this.#waiting.values()].flatMap((line) => line.flat());
    this.#waiting.clear();
    return all;
  }
}
