/**
 * `consume({ maxConcurrencyPerGroup })` on a standard (fair) queue, as pure state: at most `cap`
 * messages of one `MessageGroupId` (a tenant) run at once; a tenant's surplus waits in hand, kept
 * invisible by the heartbeat, and starts when one of its own finishes. The wait is bounded (`limit`
 * messages in all): beyond it a surplus message is deferred — let go without a call, to come back when
 * its visibility timeout runs out — so polling never stops for a noisy tenant and the quiet tenants'
 * messages (which SQS's fair ordering puts first) are always received and started at once. Messages
 * without a group are not capped.
 */

export class GroupCap<T> {
  readonly #running = new Map<string, number>();
  readonly #waiting = new Map<string, T[]>();
  #waitingCount = 0;

  constructor(
    private readonly cap: number,
    /** Most messages waiting in all; at this many the consumer stops polling until one starts. */
    readonly limit: number,
  ) {}

  /** Messages waiting for their group's turn. */
  get waiting(): number {
    return this.#waitingCount;
  }

  /**
   * A message of `group` arrived: `start` it now (it is then counted as running), it `wait`s for its
   * group's turn, or it is `defer`red (too many wait already).
   */
  admit(group: string | undefined, item: T): "start" | "wait" | "defer" {
    if (group === undefined) return "start";
    const running = this.#running.get(group) ?? 0;
    if (running < this.cap) {
      this.#running.set(group, running + 1);
      return "start";
    }
    if (this.#waitingCount >= this.limit) return "defer";
    const line = this.#waiting.get(group) ?? [];
    line.push(item);
    this.#waiting.set(group, line);
    this.#waitingCount += 1;
    return "wait";
  }

  /** A message of `group` finished: the next of its group to start (counted as running), if one waits. */
  finished(group: string | undefined): T | undefined {
    if (group === undefined) return undefined;
    const line = this.#waiting.get(group);
    const next = line?.shift();
    if (next !== undefined) {
      this.#waitingCount -= 1;
      if (line!.length === 0) this.#waiting.delete(group);
      return next; // takes over the finished one's place: running stays the same
    }
    const running = (this.#running.get(group) ?? 1) - 1;
    if (running > 0) this.#running.set(group, running);
    else this.#running.delete(group);
    return undefined;
  }

  /** Everything still waiting (the consumer stops): to be handed back. */
  drain(): T[] {
    const all = [...this.#waiting.values()].flat();
    this.#waiting.clear();
    this.#waitingCount = 0;
    return all;
  }
}
