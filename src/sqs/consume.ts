/**
 * `consume`: long polls feeding a handler with bounded concurrency, visibility heartbeats, batched
 * deletes and a graceful stop. This file composes the pieces and owns the lifecycle; each piece lives
 * next door: receive-loop (the pollers), handoff / fifo-handoff / group-cap-handoff (how a receive's
 * messages reach the handlers), message-runner (running a handler and acting on its outcome),
 * message-release, heartbeat-and-deletes, and stop-protocol (stopping and winding down).
 */
import { silentLogger } from "../shared/logger.js";
import { installRejectionRecovery } from "../refresh/rejection-middleware.js";
import { consumerTelemetry } from "../telemetry/index.js";
import { describeError } from "./classify-error.js";
import { zeroCounters, type ConsumeCounters } from "./consume-counters.js";
import { resolveConsumeOptions, type ConsumeOptions } from "./consume-options.js";
import { consumeReceiveOptions } from "./consume-receive-request.js";
import { consumeReporter } from "./consume-reporter.js";
import { unheardErrorWarner } from "./default-warnings.js";
import { loadFifoDlqPolicy } from "./fifo-dlq-policy.js";
import { FifoHandoff } from "./fifo-handoff.js";
import { GroupCapHandoff } from "./group-cap-handoff.js";
import { StandardHandoff, type Handoff } from "./handoff.js";
import { consumeDeleteBatcher, consumeHeartbeat } from "./heartbeat-and-deletes.js";
import { holdReceived } from "./held.js";
import { instrumentedClient } from "./instrumented-client.js";
import { createLongPollingClient, longPollingInfo } from "./long-polling-client.js";
import { MessageRelease } from "./message-release.js";
import { MessageRunner } from "./message-runner.js";
import { PoisonGuard } from "./poison-guard.js";
import { receiveLoop, type ReceiveLoopDeps } from "./receive-loop.js";
import { ReceiveRate } from "./receive-rate.js";
import { SideCalls } from "./side-calls.js";
import { SlotGroup } from "./slot-group.js";
import { stopRequester, windDown } from "./stop-protocol.js";
import { StopState } from "./stop-state.js";

export type { ConsumeCounters } from "./consume-counters.js";

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
  const reporter = consumeReporter(options.onError, logger, unheard);
  const ownsPollingClient = options.pollingClient === undefined;
  const pollingClient =
    options.pollingClient ?? createLongPollingClient(options.client, { pollers: o.pollerShares.length, logger: options.logger });
  // Receives, deletes and visibility changes rejected for their credentials are retried once with new ones.
  for (const c of [options.client, pollingClient]) installRejectionRecovery(c);
  if (!longPollingInfo(pollingClient)) {
    logger.debug("awscreds/sqs: pollingClient was not made by createLongPollingClient; its timeouts must exceed WaitTimeSeconds");
  }
  const receiver = instrumentedClient(pollingClient, telemetry);

  const counters: ConsumeCounters = zeroCounters();
  const stop = new StopState();
  const sideCalls = new SideCalls();
  const slots = o.pollerShares.map((share) => new SlotGroup(share));
  /** FIFO with a dead-letter queue: after a failure, one message per receive until it is retried (see poison-guard). */
  const guard = o.fifo ? new PoisonGuard() : undefined;
  const rate =
    options.maxMessagesPerSecond === undefined
      ? undefined
      : new ReceiveRate(options.maxMessagesPerSecond, (error) => {
          logger.warn(`awscreds/sqs: maxMessagesPerSecond failed; keeping the last rate: ${describeError(error)}`);
          reporter.report(error, { operation: "callback", kind: "transient" });
        });

  const upkeep = { client, queueUrl, o, counters, logger, reporter };
  const heartbeat = consumeHeartbeat(upkeep);
  const batcher = consumeDeleteBatcher(upkeep, heartbeat);
  const release = new MessageRelease(client, queueUrl, heartbeat, counters, stop, sideCalls);
  const runner = new MessageRunner({ options, client, queueUrl, telemetry, counters, logger, reporter, heartbeat, batcher, guard, release, sideCalls, stop });
  const handoff: Handoff = o.fifo
    ? new FifoHandoff(o.concurrency, runner, release)
    : o.maxConcurrencyPerGroup !== undefined
      ? new GroupCapHandoff(o.maxConcurrencyPerGroup, o.concurrency, runner, release, heartbeat, counters)
      : new StandardHandoff(runner);
  const requestStop = stopRequester(stop, o.stopTimeoutMs, handoff, slots);

  const loop: ReceiveLoopDeps = {
    o,
    queueUrl,
    receiver,
    receiveOptions: consumeReceiveOptions(o, options, telemetry !== undefined),
    rate,
    guard,
    stop,
    counters,
    telemetry,
    logger,
    reporter,
    requestStop,
    release: (messages) => release.release(messages),
    dispatch: (slot, messages, windowStartedAt) => {
      const helds = holdReceived(messages, heartbeat, windowStartedAt);
      if (helds.length > 0) handoff.dispatch(slot, helds);
    },
  };

  const run = async (): Promise<void> => {
    heartbeat.start();
    if (guard) loadFifoDlqPolicy(guard, { client, queueUrl, logger, echoToConsole: unheard !== undefined, signal: stop.pollAbort.signal, sideCalls });
    try {
      await Promise.all(slots.map((slot) => receiveLoop(slot, loop)));
      const { stopTimeoutMs, deleteFlushTimeoutMs } = o;
      await windDown({ stop, running: runner.running, counters, logger, stopTimeoutMs, deleteFlushTimeoutMs, batcher, sideCalls });
    } finally {
      await heartbeat.stop();
      options.signal?.removeEventListener("abort", requestStop);
      if (ownsPollingClient) pollingClient.destroy();
    }
    if (stop.fatal) throw stop.fatal.error;
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
      return stop.stopping;
    },
  };
}
