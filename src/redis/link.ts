/**
 * One cache's link to the fleet's budget on Redis. Calls wait in this process's queue (demand first, the
 * heaviest demand first, as in one process); the call at the head asks Redis for a token, one round trip at
 * a time, bounded by `timeoutMs`. Redis down, slow or partitioned: the link falls back at once to a local
 * budget (its share of the rate), says so once, and keeps asking Redis (`rejoinAfterMs`) until it answers;
 * then it shares again. Redis is never what a credential waits for longer than `timeoutMs`.
 */
import { RateBudget } from "../shared/rate-budget.js";
import type { TokenBucketPolicy } from "../shared/token-bucket.js";
import { isDemand, WaitQueue, type Priority } from "../shared/wait-queue.js";
import type { Logger } from "../shared/logger.js";
import type { RateBudgetStatus, SharedBudgetStatus, StsBudgetLink } from "../shared/sts-budget.js";
import { BUCKET_SCRIPT, bucketArgs, parseBucketReply, type BucketOp, type BucketReply } from "./bucket-script.js";
import type { RedisSend } from "./client.js";
import { refusalKey } from "./keys.js";

export interface LinkInit {
  send: RedisSend;
  bucketKey: string;
  /** For the refusal keys: the budget's prefix, key and region. */
  prefix: string;
  key: string;
  region: string;
  /** The fleet's bucket. */
  policy: TokenBucketPolicy;
  /** This replica's share, used while Redis does not answer. */
  localPolicy: TokenBucketPolicy;
  expectedReplicas: number;
  timeoutMs: number;
  rejoinAfterMs: number;
  logger: Logger;
  random: () => number;
  label: string;
}

const ONE = (): number => 1;
const NONE = (): number => 0;

class RedisTimeout extends Error {
  override name = "RedisTimeout";
}

/** Why Redis was left, for the log and `status()`: a name and message (Redis errors carry no secrets). */
const reasonOf = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 300);

export class RedisBudgetLink implements StsBudgetLink {
  readonly #init: LinkInit;
  readonly #local: RateBudget;
  readonly #queue = new WaitQueue();
  #mode: "shared" | "local" = "shared";
  #since = Date.now();
  #pumping = false;
  #timer: NodeJS.Timeout | undefined;
  #probe: NodeJS.Timeout | undefined;
  #stopped: unknown;
  #last: BucketReply | undefined;
  readonly #counts = { granted: 0, waits: 0, fallbacks: 0 };
  #lastError: string | undefined;

  constructor(init: LinkInit) {
    this.#init = init;
    this.#local = new RateBudget(init.localPolicy, Date.now, init.random);
  }

  acquire(priority: Priority, weight: () => number = priority === "demand" ? ONE : NONE): Promise<void> {
    if (this.#stopped !== undefined) return Promise.reject(this.#stopped);
    if (this.#mode === "local") return this.#local.acquire(priority, weight);
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ priority, resolve, reject, weight });
      void this.#pump();
    });
  }

  nudge(): void {
    this.#local.nudge();
    if (this.#timer !== undefined && this.#queue.hasDemand()) this.#timer.ref();
  }

  throttled(): void {
    this.#local.throttled();
    if (this.#mode === "shared") void this.#tell("throttled");
  }

  accepted(): void {
    this.#local.accepted();
    // Only a streak needs ending: no round trip per successful call.
    if (this.#mode === "shared" && (this.#last?.streak ?? 0) > 0) void this.#tell("accepted");
  }

  status(): RateBudgetStatus {
    const local = this.#local.status();
    const waiting = this.#queue.counts();
    const shared: SharedBudgetStatus = {
      mode: this.#mode,
      since: new Date(this.#since),
      localPerSecond: this.#init.localPolicy.targetRate,
      granted: this.#counts.granted,
      waits: this.#counts.waits,
      fleetThrottles: this.#last?.throttles ?? 0,
      fallbacks: this.#counts.fallbacks,
    };
    if (this.#lastError !== undefined) shared.lastError = this.#lastError;
    if (this.#mode === "local") return { ...local, waitingDemand: local.waitingDemand + waiting.demand, waitingBackground: local.waitingBackground + waiting.background, shared };
    const last = this.#last;
    return {
      targetPerSecond: this.#init.policy.targetRate,
      currentPerSecond: Math.round((last?.rate ?? this.#init.policy.targetRate) * 100) / 100,
      pausedUntil: last !== undefined && last.pausedMs > 0 ? new Date(Date.now() + last.pausedMs) : undefined,
      waitingDemand: waiting.demand + local.waitingDemand,
      waitingBackground: waiting.background + local.waitingBackground,
      shared,
    };
  }

  stop(error: unknown): void {
    this.#stopped = error;
    clearTimeout(this.#timer);
    clearTimeout(this.#probe);
    this.#timer = this.#probe = undefined;
    this.#local.stop(error);
    for (const w of this.#queue.drain()) w.reject(error);
  }

  async sharedRefusal(roleKey: string): Promise<string | undefined> {
    if (this.#mode === "local") return undefined;
    try {
      const code = await this.#send(["GET", this.#refusalKey(roleKey)]);
      return typeof code === "string" && code.length > 0 ? code : undefined;
    } catch (error) {
      this.#fallBack(error);
      return undefined;
    }
  }

  shareRefusal(roleKey: string, code: string, ttlMs: number): void {
    if (this.#mode === "shared") this.#send(["SET", this.#refusalKey(roleKey), code, "PX", String(Math.max(1, Math.round(ttlMs)))]).catch((e: unknown) => this.#fallBack(e));
  }

  forgetRefusal(roleKey: string): void {
    if (this.#mode === "shared") this.#send(["DEL", this.#refusalKey(roleKey)]).catch((e: unknown) => this.#fallBack(e));
  }

  #refusalKey(roleKey: string): string {
    return refusalKey(this.#init.prefix, this.#init.key, this.#init.region, roleKey);
  }

  /** Hands out shared tokens, head of the queue first, one round trip at a time. */
  async #pump(): Promise<void> {
    if (this.#pumping || this.#timer !== undefined) return;
    this.#pumping = true;
    try {
      while (this.#mode === "shared" && this.#stopped === undefined) {
        const next = this.#queue.peek();
        if (next === undefined) return;
        let reply: BucketReply;
        try {
          reply = await this.#run(isDemand(next) ? "demand" : "background");
        } catch (error) {
          this.#fallBack(error);
          return;
        }
        if (reply.granted) {
          this.#counts.granted += 1;
          this.#queue.remove(next);
          next.resolve();
          continue;
        }
        this.#counts.waits += 1;
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          void this.#pump();
        }, reply.waitMs);
        // Callers awaiting credentials keep the process alive; background refreshes alone never do.
        if (!this.#queue.hasDemand()) this.#timer.unref();
        return;
      }
    } finally {
      this.#pumping = false;
    }
  }

  async #run(op: BucketOp): Promise<BucketReply> {
    const reply = parseBucketReply(await this.#send(["EVAL", BUCKET_SCRIPT, "1", this.#init.bucketKey, ...bucketArgs(op, this.#init.policy, this.#init.random())]));
    this.#last = reply;
    return reply;
  }

  async #tell(op: BucketOp): Promise<void> {
    try {
      await this.#run(op);
    } catch (error) {
      this.#fallBack(error);
    }
  }

  /** One command, or a `RedisTimeout` after `timeoutMs`. */
  #send(args: string[]): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      // The reply may be waiting in the socket while this process was busy (loading the SDK, say): give
      // I/O one turn of the event loop before calling Redis slow.
      timer = setTimeout(() => setImmediate(() => reject(new RedisTimeout(`no answer within timeoutMs ${this.#init.timeoutMs} ms`))), this.#init.timeoutMs);
    });
    return Promise.race([this.#init.send(args), timeout]).finally(() => clearTimeout(timer));
  }

  /** Redis did not answer: every waiting call and every later one goes to the local share, at once. */
  #fallBack(error: unknown): void {
    if (this.#mode === "local" || this.#stopped !== undefined) return;
    const { logger, label, expectedReplicas, policy, localPolicy, rejoinAfterMs } = this.#init;
    this.#mode = "local";
    this.#since = Date.now();
    this.#counts.fallbacks += 1;
    this.#lastError = reasonOf(error);
    clearTimeout(this.#timer);
    this.#timer = undefined;
    logger.warn(
      `awscreds: ${label}: the shared STS budget on Redis did not answer (${this.#lastError}); this replica uses its local share, ` +
        `${localPolicy.targetRate}/s (requestsPerSecond ${policy.targetRate} / expectedReplicas ${expectedReplicas}), and asks Redis again every ${rejoinAfterMs} ms`,
    );
    for (const w of this.#queue.drain()) this.#local.acquire(w.priority, w.weight).then(w.resolve, w.reject);
    this.#scheduleProbe();
  }

  #scheduleProbe(): void {
    this.#probe = setTimeout(() => {
      this.#probe = undefined;
      void this.#rejoin();
    }, this.#init.rejoinAfterMs);
    this.#probe.unref();
  }

  async #rejoin(): Promise<void> {
    if (this.#stopped !== undefined) return;
    try {
      await this.#send(["EVAL", BUCKET_SCRIPT, "1", this.#init.bucketKey, ...bucketArgs("peek", this.#init.policy, 0)]).then((r) => (this.#last = parseBucketReply(r)));
    } catch (error) {
      this.#lastError = reasonOf(error);
      this.#scheduleProbe();
      return;
    }
    if (this.#stopped !== undefined) return;
    this.#mode = "shared";
    this.#since = Date.now();
    this.#init.logger.info(`awscreds: ${this.#init.label}: Redis answers again; this replica shares the fleet's STS budget again`);
    void this.#pump();
  }
}
