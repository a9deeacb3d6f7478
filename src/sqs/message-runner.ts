/**
 * Running handlers for `consume`: one message (`handler`) or one receive (`batchHandler`) per task, inside
 * the telemetry span, then the outcome: a success goes to the delete batcher, a failure is left for
 * redelivery (after `failureVisibilityTimeout`, when set). Keeps the set of running tasks the stop
 * protocol waits for.
 */
import { ChangeMessageVisibilityCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { Logger } from "../shared/logger.js";
import { withProcessTelemetry, type ConsumerTelemetry } from "../telemetry/index.js";
import { classifyError } from "./classify-error.js";
import type { ConsumeCounters } from "./consume-counters.js";
import type { BatchResponse, ConsumeOptions, FailedMessageInfo } from "./consume-options.js";
import type { ConsumeReporter } from "./consume-reporter.js";
import type { DeleteBatcher } from "./delete-batcher.js";
import type { Held } from "./held.js";
import type { MessageRelease } from "./message-release.js";
import type { PoisonGuard } from "./poison-guard.js";
import { SQS_MAX_VISIBILITY_TIMEOUT_SECONDS } from "./receive-options.js";
import type { SideCalls } from "./side-calls.js";
import type { StopState } from "./stop-state.js";
import type { VisibilityHeartbeat } from "./visibility-heartbeat.js";

export interface MessageRunnerDeps {
  options: Pick<ConsumeOptions, "handler" | "batchHandler" | "onProcessed" | "onFailed" | "failureVisibilityTimeout">;
  client: SQSClient;
  queueUrl: string;
  telemetry: ConsumerTelemetry | undefined;
  counters: ConsumeCounters;
  logger: Logger;
  reporter: ConsumeReporter;
  heartbeat: VisibilityHeartbeat;
  batcher: DeleteBatcher<Held>;
  /** FIFO with a dead-letter queue: told of every outcome. */
  guard: PoisonGuard | undefined;
  release: MessageRelease;
  sideCalls: SideCalls;
  stop: StopState;
}

export class MessageRunner {
  /** Tasks running now (settled, never rejecting), for the stop protocol. */
  readonly running = new Set<Promise<void>>();

  constructor(private readonly deps: MessageRunnerDeps) {}

  /** Whether tasks are whole receives (`batchHandler`) rather than single messages. */
  get batches(): boolean {
    return this.deps.options.batchHandler !== undefined;
  }

  /**
   * Runs one task (a message, or a batch); resolves with its outcome, true when every message succeeded.
   * `ordered` (FIFO, one group's batch): the messages after the first failed one are handed back in order.
   */
  start(helds: Held[], ordered = false): Promise<boolean> {
    const { counters } = this.deps;
    counters.inFlight += helds.length;
    const outcome = (this.batches ? this.#runBatch(helds, ordered) : this.#runOne(helds[0]!)).finally(() => {
      this.running.delete(settled);
      counters.inFlight -= helds.length;
    });
    const settled = outcome.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    return outcome;
  }

  /** Resolves true when the message succeeded. */
  async #runOne(held: Held): Promise<boolean> {
    const { options, telemetry, stop } = this.deps;
    try {
      // Inside the message's CONSUMER span (when telemetry is on): the handler's own spans nest under it.
      await withProcessTelemetry(telemetry, held.message, async () => options.handler!(held.message, { signal: stop.handlerAbort.signal }));
    } catch (error) {
      this.#fail(held, error);
      return false;
    }
    this.#succeed(held);
    return true;
  }

  /**
   * Resolves true when every message succeeded. `ordered` (FIFO, one group's messages): the messages
   * after the first failed one are handed back in order, not deleted, whatever the handler said of them.
   */
  async #runBatch(helds: Held[], ordered: boolean): Promise<boolean> {
    const { options, telemetry, stop } = this.deps;
    let result: unknown;
    try {
      const messages = helds.map((h) => h.message);
      const handle = async (): Promise<unknown> => options.batchHandler!(messages, { signal: stop.handlerAbort.signal });
      result = await (telemetry ? telemetry.processBatch(messages, handle) : handle());
    } catch (error) {
      for (const held of helds) this.#fail(held, error);
      return false;
    }
    const failures = (result as Partial<BatchResponse> | undefined)?.batchItemFailures;
    const failedIds = new Set(Array.isArray(failures) ? failures.map((f) => f?.itemIdentifier) : []);
    let firstFailure = -1;
    for (const [i, held] of helds.entries()) {
      if (ordered && firstFailure >= 0) break;
      if (held.message.MessageId !== undefined && failedIds.has(held.message.MessageId)) {
        this.#fail(held, new Error(`message ${held.message.MessageId} was reported in batchItemFailures`));
        if (firstFailure < 0) firstFailure = i;
      } else {
        this.#succeed(held);
      }
    }
    if (ordered && firstFailure >= 0) this.deps.release.handBack(helds.slice(firstFailure + 1));
    return firstFailure < 0;
  }

  #succeed(held: Held): void {
    const { counters, guard, reporter, options, stop, logger, batcher } = this.deps;
    counters.processed += 1;
    guard?.succeeded(held.message.MessageId);
    reporter.callback("onProcessed", options.onProcessed, held.message);
    if (stop.sealed) {
      logger.warn(`awscreds/sqs: abandoned handler for message ${held.message.MessageId ?? "?"} finished after stopTimeoutMs; not deleted, it will be delivered again`);
      return;
    }
    batcher.add(held);
  }

  #fail(held: Held, error: unknown): void {
    const { counters, guard, heartbeat, reporter, options, stop, client, queueUrl, sideCalls } = this.deps;
    counters.failed += 1;
    const count = Number(held.message.Attributes?.ApproximateReceiveCount);
    guard?.failed(held.message.MessageId, Number.isFinite(count) ? count : undefined, Date.now());
    heartbeat.untrack(held.key);
    reporter.callback("onFailed", options.onFailed, held.message, error);
    const setting = options.failureVisibilityTimeout;
    if (setting === undefined || stop.sealed) return;
    let seconds: number;
    try {
      const receiveCount = Number(held.message.Attributes?.ApproximateReceiveCount);
      const info: FailedMessageInfo = { message: held.message, error, receiveCount: Number.isFinite(receiveCount) ? receiveCount : undefined };
      seconds = typeof setting === "function" ? setting(info) : setting;
    } catch (callbackError) {
      reporter.report(callbackError, { operation: "callback", kind: "transient" });
      return;
    }
    const visibility = Math.max(0, Math.min(SQS_MAX_VISIBILITY_TIMEOUT_SECONDS, Math.round(Number.isFinite(seconds) ? seconds : 0)));
    sideCalls.track(
      client
        .send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: held.receiptHandle, VisibilityTimeout: visibility }))
        .catch((error: unknown) => {
          reporter.report(error, { operation: "ChangeMessageVisibility", kind: classifyError(error) });
        }),
    );
  }
}
