/**
 * `consume`: long polls feeding a handler with bounded concurrency, visibility heartbeats, batched
 * deletes and a graceful stop. The pieces live next door (slot-group, visibility-heartbeat,
 * delete-batcher); this file wires them and owns the lifecycle.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageSystemAttributeName,
} from "@aws-sdk/client-sqs";
import { silentLogger } from "../shared/logger.js";
import { backoffDelayMs } from "./backoff.js";
import { chunk } from "./chunk.js";
import { classifyError, describeError, providerStopped } from "./classify-error.js";
import {
  resolveConsumeOptions,
  type BatchResponse,
  type ConsumeErrorContext,
  type ConsumeOptions,
  type FailedMessageInfo,
} from "./consume-options.js";
import { DeleteBatcher, type DeleteEntry } from "./delete-batcher.js";
import { FifoGroups, fifoSystemAttributeNames, groupOf, splitByGroup } from "./fifo-groups.js";
import { createLongPollingClient, longPollingInfo } from "./long-polling-client.js";
import { installRejectionRecovery } from "../refresh/rejection-middleware.js";
import { ReceiveAttempt } from "./receive-attempt.js";
import { receiveMessageInput, SQS_MAX_VISIBILITY_TIMEOUT_SECONDS } from "./receive-options.js";
import { sleep } from "./sleep.js";
import { SlotGroup } from "./slot-group.js";
import { VisibilityHeartbeat } from "./visibility-heartbeat.js";
import { unheardErrorWarner } from "./default-warnings.js";
import { instrumentedClient } from "./instrumented-client.js";
import { ReceiveRate } from "./receive-rate.js";
import { GroupCap } from "./group-cap.js";
import { PoisonGuard, withReceiveCount } from "./poison-guard.js";
import { readMaxReceiveCount } from "./redrive-policy.js";
import { consumerTelemetry, withProcessTelemetry } from "../telemetry/index.js";
import { traceMessageAttributeNames, traceSystemAttributeNames } from "./trace-receive-names.js";

/** Live counts; read them at any time (they are updated in place). */
export interface ConsumeCounters {
  /** `ReceiveMessage` calls sent. */
  polls: number;
  /** Polls that returned no message. */
  emptyPolls: number;
  /** Polls that failed (and were retried after a backoff, unless fatal). */
  receiveErrors: number;
  /** Messages received. */
  received: number;
  /** Handlers that succeeded. */
  processed: number;
  /** Handlers that failed (message left for redelivery). */
  failed: number;
  /** Messages deleted after success. */
  deleted: number;
  /** Handled messages whose delete was given up (they will be delivered again). */
  deleteFailures: number;
  /** Visibility extensions sent by the heartbeat (one per message). */
  visibilityExtensions: number;
  /** Messages being handled right now. */
  inFlight: number;
  /** Handlers still running when `stopTimeoutMs` ran out. */
  abandoned: number;
  /**
   * Messages made visible again unhandled: they arrived while stopping, or (FIFO) they were behind a
   * failed message of their group, or waiting for their turn when `stop()` was called.
   */
  released: number;
  /**
   * `maxConcurrencyPerGroup`: messages of a group over its cap received while `concurrency` others
   * already waited; let go without a call, they come back when their visibility timeout runs out.
   */
  deferred: number;
}

export interface ConsumerHandle {
  /**
   * Stops polling (aborting in-flight polls), lets running handlers finish (up to `stopTimeoutMs`), flushes
   * deletes. Resolves only when no SQS call of this consumer is still to come: a handler abandoned at
   * `stopTimeoutMs` that returns later has its message left for redelivery (neither deleted nor released).
   * Never rejects.
   */
  stop(): Promise<void>;
  /**
   * Settles when the consumer has stopped (same moment as `stop()`); rejects only on a fatal error
   * (e.g. `QueueDoesNotExist`, or `RefresherStoppedError` when the client's credentials provider was stopped).
   */
  readonly done: Promise<void>;
  readonly counters: Readonly<ConsumeCounters>;
  /** True once `stop()` was called, `signal` aborted, or a fatal error occurred. */
  readonly stopping: boolean;
}

interface Held extends DeleteEntry {
  message: Message;
  /** Identity for the heartbeat: a message id can come back while its first copy is still in hand. */
  key: object;
}

/** How long a poller waits for more room before polling for just a few messages, ms. */
const GATHER_MS = 20;
const DELETE_MAX_ATTEMPTS = 5;
const DELETE_MAX_IN_FLIGHT = 4;

/**
 * Consumes `queueUrl`: long polls (through a long-polling twin of `client`), runs `handler` for each
 * message (or `batchHandler` per receive) with at most `concurrency` messages in hand, keeps messages
 * invisible while their handler runs, deletes handled ones in batches and leaves failed ones for
 * redelivery. Credential errors (`ExpiredToken`, `AccessDenied`, …), throttling and transient errors
 * back off exponentially with jitter; fatal ones stop the consumer and reject `done`.
 *
 * On a FIFO queue (URL ending in `.fifo`, or `fifo: true`) the messages of one message group are handled
 * one at a time in receive order and up to `concurrency` groups run side by side; when one fails, the
 * rest of its group in hand is released in order, not handled (`counters.released`).
 *
 * With `@opentelemetry/api` installed, each message is handled inside a CONSUMER span that continues the
 * producer's trace (`traceparent` message attribute, or `AWSTraceHeader`), and the messaging metrics count
 * it (see {@link ConsumeOptions.telemetry}; `telemetry: false` turns it off).
 *
 * @example
 * ```ts
 * import { SQSClient } from "@aws-sdk/client-sqs";
 * import { consume } from "awscreds/sqs";
 *
 * const consumer = consume({
 *   client: new SQSClient({ requestHandler: { requestTimeout: 3_000, throwOnRequestTimeout: true } }),
 *   queueUrl,
 *   concurrency: 20,
 *   handler: async (message) => { await processOrder(JSON.parse(message.Body ?? "{}")); },
 *   onFailed: (message, error) => log.warn({ id: message.MessageId, error }),
 * });
 * process.once("SIGTERM", () => void consumer.stop());
 * await consumer.done;
 * ```
 *
 * @example FIFO queue with a dead-letter queue
 * ```ts
 * // maxReceiveCount 5: back off as the receive count grows; the last allowed receive goes to the DLQ at once.
 * // Only the poison message reaches the DLQ: after a failure, consume receives one message at a time until it is retried.
 * const fifo = consume({
 *   client,
 *   queueUrl: ordersFifoUrl, // ".../orders.fifo": per-group order
 *   concurrency: 20,
 *   failureVisibilityTimeout: ({ receiveCount = 1 }) => (receiveCount >= 5 ? 0 : Math.min(900, 5 * 2 ** (receiveCount - 1))),
 *   handler: async (message) => { await applyEvent(JSON.parse(message.Body ?? "")); },
 * });
 * ```
 */
export function consume(options: ConsumeOptions): ConsumerHandle {
  const o = resolveConsumeOptions(options);
  const { queueUrl } = options;
  const telemetry = consumerTelemetry(options.telemetry, { queueUrl });
  // Every SQS call of the consumer is timed for messaging.client.operation.duration (a twin: the caller's client is untouched).
  const client = instrumentedClient(options.client, telemetry);
  // Nobody listening (no onError, no logger): errors still reach console.warn, rate-limited.
  const unheard = options.onError === undefined && options.logger === undefined ? unheardErrorWarner("consume") : undefined;
  const logger = options.logger ?? silentLogger;
  const ownsPollingClient = options.pollingClient === undefined;
  const pollingClient =
    options.pollingClient ?? createLongPollingClient(options.client, { pollers: o.pollerShares.length, logger: options.logger });
  // Receives, deletes and visibility changes rejected for their credentials are retried once with new ones.
  for (const c of [options.client, pollingClient]) installRejectionRecovery(c);
  if (!longPollingInfo(pollingClient)) {
    logger.debug("awscreds/sqs: pollingClient was not made by createLongPollingClient; its timeouts must exceed WaitTimeSeconds");
  }
  const receiver = instrumentedClient(pollingClient, telemetry);

  const counters: ConsumeCounters = {
    polls: 0,
    emptyPolls: 0,
    receiveErrors: 0,
    received: 0,
    processed: 0,
    failed: 0,
    deleted: 0,
    deleteFailures: 0,
    visibilityExtensions: 0,
    inFlight: 0,
    abandoned: 0,
    released: 0,
    deferred: 0,
  };
  const pollAbort = new AbortController();
  const handlerAbort = new AbortController();
  const slots = o.pollerShares.map((share) => new SlotGroup(share));
  const running = new Set<Promise<void>>();
  /** FIFO: who runs next in each message group (at most `concurrency` groups at once), and the poller slot each group in hand holds. */
  const groups = o.fifo ? new FifoGroups<Held>(o.concurrency) : undefined;
  const groupSlots = new Map<string, SlotGroup>();
  /** FIFO with a dead-letter queue: after a failure, one message per receive until it is retried (see poison-guard). */
  const guard = o.fifo ? new PoisonGuard() : undefined;
  /** Standard (fair) queue with maxConcurrencyPerGroup: who runs and who waits, per message group. */
  const groupCap = o.maxConcurrencyPerGroup === undefined ? undefined : new GroupCap<{ held: Held; slot: SlotGroup }>(o.maxConcurrencyPerGroup, o.concurrency);

  const rate =
    options.maxMessagesPerSecond === undefined
      ? undefined
      : new ReceiveRate(options.maxMessagesPerSecond, (error) => {
          logger.warn(`awscreds/sqs: maxMessagesPerSecond failed; keeping the last rate: ${describeError(error)}`);
          report(error, { operation: "callback", kind: "transient" });
        });
  const sideCalls = new Set<Promise<unknown>>();
  let stopping = false;
  /**
   * Set when running handlers are abandoned at `stopTimeoutMs`. From then on a handler that settles has
   * its outcome ignored: no delete, no visibility change. Its message is left for redelivery, and stop()
   * never resolves with an SQS call still to come.
   */
  let sealed = false;
  /** When running handlers are abandoned: `stopTimeoutMs` after stop() was asked for (set before the pollers end). */
  let handlersDeadline = 0;
  let fatal: { error: unknown } | undefined;

  const report = (error: unknown, context: ConsumeErrorContext): void => {
    unheard?.(error, context);
    try {
      options.onError?.(error, context);
    } catch (callbackError) {
      logger.error(`awscreds/sqs: onError callback threw: ${describeError(callbackError)}`);
    }
  };
  const callback = <A extends unknown[]>(name: string, fn: ((...args: A) => void) | undefined, ...args: A): void => {
    try {
      fn?.(...args);
    } catch (error) {
      logger.error(`awscreds/sqs: ${name} callback threw: ${describeError(error)}`);
      report(error, { operation: "callback", kind: "transient" });
    }
  };
  const track = (promise: Promise<unknown>): void => {
    const tracked = promise.catch(() => undefined).finally(() => sideCalls.delete(tracked));
    sideCalls.add(tracked);
  };

  const heartbeat = new VisibilityHeartbeat({
    client,
    queueUrl,
    visibilityTimeoutSeconds: o.VisibilityTimeout,
    intervalMs: o.heartbeatIntervalMs,
    onExtended: (n) => {
      counters.visibilityExtensions += n;
    },
    onError: (error, kind) => {
      logger.warn(`awscreds/sqs: visibility heartbeat failed (${kind}), retrying at the next tick: ${describeError(error)}`);
      report(error, { operation: "ChangeMessageVisibilityBatch", kind });
    },
  });

  const batcher = new DeleteBatcher<Held>({
    client,
    queueUrl,
    flushDelayMs: o.deleteFlushDelayMs,
    maxAttempts: DELETE_MAX_ATTEMPTS,
    maxInFlight: DELETE_MAX_IN_FLIGHT,
    backoff: o.backoff,
    onDeleted: (held) => {
      heartbeat.untrack(held.key);
      counters.deleted += 1;
    },
    onGiveUp: (held, reason) => {
      heartbeat.untrack(held.key);
      counters.deleteFailures += 1;
      logger.warn(`awscreds/sqs: gave up deleting message ${held.message.MessageId ?? "?"}; it will be delivered again: ${describeError(reason)}`);
    },
    onError: (error, kind, delayMs) => {
      logger.warn(`awscreds/sqs: DeleteMessageBatch failed (${kind})${delayMs === undefined ? "" : `, retrying in ${delayMs} ms`}: ${describeError(error)}`);
      report(error, delayMs === undefined ? { operation: "DeleteMessageBatch", kind } : { operation: "DeleteMessageBatch", kind, delayMs });
    },
  });

  const requestStop = (): void => {
    if (stopping) return;
    stopping = true;
    handlersDeadline = Date.now() + o.stopTimeoutMs;
    pollAbort.abort();
    // FIFO messages waiting for their turn are not started any more: handed back, in order.
    if (groups) {
      const { release: waiting, idle } = groups.drain();
      handBack(waiting);
      for (const group of idle) leave(group);
    }
    // Capped groups' messages waiting their turn are not started any more either.
    if (groupCap) handBack(groupCap.drain().map((w) => w.held));
    for (const slot of slots) slot.close();
  };

  const succeed = (held: Held): void => {
    counters.processed += 1;
    guard?.succeeded(held.message.MessageId);
    callback("onProcessed", options.onProcessed, held.message);
    if (sealed) {
      logger.warn(`awscreds/sqs: abandoned handler for message ${held.message.MessageId ?? "?"} finished after stopTimeoutMs; not deleted, it will be delivered again`);
      return;
    }
    batcher.add(held);
  };

  const fail = (held: Held, error: unknown): void => {
    counters.failed += 1;
    const count = Number(held.message.Attributes?.ApproximateReceiveCount);
    guard?.failed(held.message.MessageId, Number.isFinite(count) ? count : undefined, Date.now());
    heartbeat.untrack(held.key);
    callback("onFailed", options.onFailed, held.message, error);
    const setting = options.failureVisibilityTimeout;
    if (setting === undefined || sealed) return;
    let seconds: number;
    try {
      const receiveCount = Number(held.message.Attributes?.ApproximateReceiveCount);
      const info: FailedMessageInfo = { message: held.message, error, receiveCount: Number.isFinite(receiveCount) ? receiveCount : undefined };
      seconds = typeof setting === "function" ? setting(info) : setting;
    } catch (callbackError) {
      report(callbackError, { operation: "callback", kind: "transient" });
      return;
    }
    const visibility = Math.max(0, Math.min(SQS_MAX_VISIBILITY_TIMEOUT_SECONDS, Math.round(Number.isFinite(seconds) ? seconds : 0)));
    track(
      client
        .send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: held.receiptHandle, VisibilityTimeout: visibility }))
        .catch((error: unknown) => {
          report(error, { operation: "ChangeMessageVisibility", kind: classifyError(error) });
        }),
    );
  };

  /** Resolves true when the message succeeded. */
  const runOne = async (held: Held): Promise<boolean> => {
    try {
      // Inside the message's CONSUMER span (when telemetry is on): the handler's own spans nest under it.
      await withProcessTelemetry(telemetry, held.message, async () => options.handler!(held.message, { signal: handlerAbort.signal }));
    } catch (error) {
      fail(held, error);
      return false;
    }
    succeed(held);
    return true;
  };

  /**
   * Resolves true when every message succeeded. `ordered` (FIFO, one group's messages): the messages
   * after the first failed one are handed back in order, not deleted, whatever the handler said of them.
   */
  const runBatch = async (helds: Held[], ordered = false): Promise<boolean> => {
    let result: unknown;
    try {
      const messages = helds.map((h) => h.message);
      const handle = async (): Promise<unknown> => options.batchHandler!(messages, { signal: handlerAbort.signal });
      result = await (telemetry ? telemetry.processBatch(messages, handle) : handle());
    } catch (error) {
      for (const held of helds) fail(held, error);
      return false;
    }
    const failures = (result as Partial<BatchResponse> | undefined)?.batchItemFailures;
    const failedIds = new Set(Array.isArray(failures) ? failures.map((f) => f?.itemIdentifier) : []);
    let firstFailure = -1;
    for (const [i, held] of helds.entries()) {
      if (ordered && firstFailure >= 0) break;
      if (held.message.MessageId !== undefined && failedIds.has(held.message.MessageId)) {
        fail(held, new Error(`message ${held.message.MessageId} was reported in batchItemFailures`));
        if (firstFailure < 0) firstFailure = i;
      } else {
        succeed(held);
      }
    }
    if (ordered && firstFailure >= 0) handBack(helds.slice(firstFailure + 1));
    return firstFailure < 0;
  };

  /** Runs one task (a message, or a batch); resolves with its outcome. */
  const start = (helds: Held[], run: () => Promise<boolean>): Promise<boolean> => {
    counters.inFlight += helds.length;
    const outcome = run().finally(() => {
      running.delete(settled);
      counters.inFlight -= helds.length;
    });
    const settled = outcome.then(
      () => undefined,
      () => undefined,
    );
    running.add(settled);
    return outcome;
  };

  /** FIFO: runs a group's task, then the group's next one, or hands back the rest after a failure. */
  const startInGroup = (group: string, task: Held[]): void => {
    void start(task, () => (options.batchHandler ? runBatch(task, true) : runOne(task[0]!))).then((ok) => {
      const outcome = groups!.finished(group, ok);
      handBack(outcome.release);
      if (outcome.idle) leave(group);
      for (const next of outcome.start) startInGroup(next.group, next.task);
    });
  };

  /** A FIFO group has nothing left in hand: its slot goes back to the poller that took it. */
  const leave = (group: string): void => {
    groupSlots.get(group)?.release(1);
    groupSlots.delete(group);
  };

  const dispatch = (slot: SlotGroup, messages: Message[], windowStartedAt: number): void => {
    const helds: Held[] = [];
    for (const message of messages) {
      if (!message.ReceiptHandle) continue;
      const held: Held = { message, receiptHandle: message.ReceiptHandle, attempts: 0, key: {} };
      heartbeat.track(held.key, held.receiptHandle, windowStartedAt);
      helds.push(held);
    }
    if (helds.length === 0) return;
    if (groups) {
      // FIFO: a poller slot per message group in hand, since a group runs one message at a time. A poll
      // needs one free slot and asks for a full receive (SQS fills it with as few groups as it can); the
      // groups it brings beyond `concurrency` wait their turn, kept invisible by the heartbeat.
      for (const [group, members] of splitByGroup(helds, (h) => groupOf(h.message))) {
        if (!groups.has(group)) {
          groupSlots.set(group, slot);
          slot.take(1);
        }
        const tasks = options.batchHandler ? [members] : members.map((h) => [h]);
        for (const task of tasks) for (const now of groups.add(group, task)) startInGroup(now.group, now.task);
      }
      return;
    }
    if (groupCap) {
      // Fair queue, tenants capped: a message starts now, or waits in hand for its group's turn.
      for (const held of helds) {
        const group = held.message.Attributes?.MessageGroupId;
        const verdict = groupCap.admit(group, { held, slot });
        if (verdict === "start") startCapped(group, held, slot);
        else if (verdict === "defer") {
          // No call: it is invisible for this receive's VisibilityTimeout and comes back then.
          heartbeat.untrack(held.key);
          counters.deferred += 1;
        }
      }
      return;
    }
    // Standard: a slot per message in hand, taken at receipt, given back when its handler is done.
    const runs = options.batchHandler ? [helds] : helds.map((h) => [h]);
    slot.take(helds.length);
    for (const task of runs) {
      void start(task, () => (options.batchHandler ? runBatch(task) : runOne(task[0]!))).finally(() => slot.release(task.length));
    }
  };

  /** A message of a capped group runs; when it is done, the next of its group waiting in hand takes its place. */
  const startCapped = (group: string | undefined, held: Held, slot: SlotGroup): void => {
    slot.take(1);
    void start([held], () => runOne(held)).finally(() => {
      slot.release(1);
      const next = groupCap!.finished(group);
      if (next === undefined) return;
      startCapped(group, next.held, next.slot);
    });
  };

  /** FIFO messages that must not run (behind a failure, or not started at stop): visible again, in order. */
  const handBack = (helds: Held[]): void => {
    for (const held of helds) heartbeat.untrack(held.key);
    // After an abandoned handler: no SQS call once stop() resolved; the messages come back on their own.
    if (sealed) return;
    release(helds.map((h) => h.message));
  };

  /** Messages that arrived after stop() was called: handing them back is faster than waiting out their visibility. */
  const release = (messages: Message[]): void => {
    const handles = messages.map((m) => m.ReceiptHandle).filter((h): h is string => typeof h === "string");
    counters.released += handles.length;
    for (const batch of chunk(handles, 10)) {
      track(
        client.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((ReceiptHandle, i) => ({ Id: String(i), ReceiptHandle, VisibilityTimeout: 0 })),
          }),
        ),
      );
    }
  };

  const withTraceNames = (names: MessageSystemAttributeName[] | undefined) => (telemetry ? traceSystemAttributeNames(names) : names);
  const receiveOptions = {
    WaitTimeSeconds: o.WaitTimeSeconds,
    VisibilityTimeout: o.VisibilityTimeout,
    MaxNumberOfMessages: o.MaxNumberOfMessages,
    // With telemetry on, the producer's trace context is asked for even when the lists were narrowed.
    MessageAttributeNames: telemetry ? traceMessageAttributeNames(options.MessageAttributeNames) : options.MessageAttributeNames,
    MessageSystemAttributeNames: withTraceNames(
      o.fifo
        ? withReceiveCount(fifoSystemAttributeNames(options.MessageSystemAttributeNames))
        : groupCap
          ? fifoSystemAttributeNames(options.MessageSystemAttributeNames)
          : options.MessageSystemAttributeNames,
    ),
  };

  const pollLoop = async (slot: SlotGroup): Promise<void> => {
    // FIFO slots count groups, and any free one is worth a full receive.
    const target = o.fifo ? 1 : Math.min(o.MaxNumberOfMessages, slot.size);
    let failures = 0;
    // FIFO: a receive retried after an error keeps its attempt id, so a lost answer is not lost messages.
    const attempt = o.fifo ? new ReceiveAttempt() : undefined;
    while (!stopping) {
      await slot.waitForRoom(1);
      // Room for one message while others finish: wait a moment for room for a full receive rather
      // than poll for crumbs, then let handlers finishing in the same turn release their slots too.
      // (With room for a full receive, or a closed group, i.e. stopping, this waits for nothing.)
      await slot.waitForRoom(target, GATHER_MS);
      await new Promise((resolve) => setImmediate(resolve));
      if (stopping) break;
      // At a rate: ask only for the messages that can start now (tokens reserved before the poll, the
      // unused ones given back after it). The wait ends at once on stop().
      const reserved = rate ? await rate.acquire(o.fifo ? o.MaxNumberOfMessages : Math.max(1, slot.free), pollAbort.signal) : Infinity;
      if (stopping) {
        rate?.settle(reserved, 0);
        break;
      }
      const windowStartedAt = Date.now();
      counters.polls += 1;
      let messages: Message[] = [];
      try {
        const input = receiveMessageInput(queueUrl, receiveOptions, Math.min(o.fifo ? Infinity : slot.free, reserved, guard?.maxMessages(Date.now()) ?? Infinity));
        if (attempt) input.ReceiveRequestAttemptId = attempt.current();
        const output = await receiver.send(new ReceiveMessageCommand(input), { abortSignal: pollAbort.signal });
        attempt?.answered();
        messages = output.Messages ?? [];
        failures = 0;
      } catch (error) {
        rate?.settle(reserved, 0);
        const kind = classifyError(error, pollAbort.signal);
        if (kind === "aborted") break;
        counters.receiveErrors += 1;
        if (kind === "fatal" || providerStopped(error)) {
          fatal ??= { error };
          logger.error(
            kind === "fatal"
              ? `awscreds/sqs: ReceiveMessage failed and cannot succeed on retry; stopping: ${describeError(error)}`
              : `awscreds/sqs: the client's credentials provider was stopped; stopping: ${describeError(error)}`,
          );
          report(error, { operation: "ReceiveMessage", kind });
          requestStop();
          break;
        }
        const delayMs = backoffDelayMs(failures, o.backoff);
        failures += 1;
        logger.warn(`awscreds/sqs: ReceiveMessage failed (${kind}), retrying in ${delayMs} ms: ${describeError(error)}`);
        report(error, { operation: "ReceiveMessage", kind, delayMs });
        await sleep(delayMs, pollAbort.signal);
        continue;
      }
      rate?.settle(reserved, messages.length);
      if (messages.length === 0) {
        counters.emptyPolls += 1;
        if (o.WaitTimeSeconds === 0) await sleep(1_000, pollAbort.signal);
        continue;
      }
      counters.received += messages.length;
      telemetry?.received(messages.length);
      if (stopping) {
        release(messages);
        break;
      }
      dispatch(slot, messages, windowStartedAt);
    }
  };

  const run = async (): Promise<void> => {
    heartbeat.start();
    if (guard) {
      // One GetQueueAttributes at start; until it answers (or if it is denied), a DLQ is assumed.
      const warnings = {
        warn: (line: string): void => {
          logger.warn(line);
          if (unheard) console.warn(line);
        },
      };
      track(
        readMaxReceiveCount(client, queueUrl, warnings, pollAbort.signal).then((count) => {
          if (count !== "unknown") guard.policy(count);
        }),
      );
    }
    try {
      await Promise.all(slots.map((slot) => pollLoop(slot)));
      const timer = new AbortController();
      await Promise.race([Promise.allSettled([...running]), sleep(Math.max(0, handlersDeadline - Date.now()), timer.signal)]);
      timer.abort();
      // No handler starts once the pollers have ended, so whatever still runs has outlived stopTimeoutMs.
      if (running.size > 0) {
        counters.abandoned = running.size;
        logger.warn(
          `awscreds/sqs: ${running.size} handler(s) still running after stopTimeoutMs (${o.stopTimeoutMs} ms); ` +
            "their signal is aborted and their messages will be delivered again.",
        );
        // Sealed before the abort: a handler that returns from its abort listener must not slip a delete
        // into the batcher while it closes (that delete would land after stop() resolved).
        sealed = true;
        handlerAbort.abort();
      }
      // Nothing adds deletes or side calls any more: every handler settled, or was abandoned and sealed off.
      await batcher.close(Date.now() + o.deleteFlushTimeoutMs);
      await Promise.allSettled([...sideCalls]);
    } finally {
      await heartbeat.stop();
      options.signal?.removeEventListener("abort", requestStop);
      if (ownsPollingClient) pollingClient.destroy();
    }
    if (fatal) throw fatal.error;
  };

  if (options.signal?.aborted) requestStop();
  else options.signal?.addEventListener("abort", requestStop, { once: true });

  const done = run();
  // `done` rejects only on a fatal error, which is also reported through onError and the logger:
  // mark it handled so a caller who only ever calls stop() gets no unhandled rejection.
  done.catch(() => undefined);

  return {
    stop() {
      requestStop();
      return done.then(
        () => undefined,
        () => undefined,
      );
    },
    done,
    counters,
    get stopping() {
      return stopping;
    },
  };
}
