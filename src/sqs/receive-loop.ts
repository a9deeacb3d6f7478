/**
 * One poller of `consume`: waits for room in its slots (gathering a moment for a full receive), takes
 * tokens at a rate when one is set, long polls, backs off on errors (a fatal one stops the consumer),
 * and hands what it received to the dispatch — or back to SQS when the consumer is stopping.
 */
import { ReceiveMessageCommand, type Message, type SQSClient } from "@aws-sdk/client-sqs";
import type { Logger } from "../shared/logger.js";
import type { ConsumerTelemetry } from "../telemetry/index.js";
import { backoffDelayMs } from "./backoff.js";
import { classifyError, describeError, providerStopped } from "./classify-error.js";
import type { ConsumeCounters } from "./consume-counters.js";
import type { ResolvedConsumeOptions } from "./consume-options.js";
import type { ConsumeReporter } from "./consume-reporter.js";
import type { PoisonGuard } from "./poison-guard.js";
import { ReceiveAttempt } from "./receive-attempt.js";
import { receiveMessageInput, type ReceiveOptions } from "./receive-options.js";
import type { ReceiveRate } from "./receive-rate.js";
import { sleep } from "./sleep.js";
import type { SlotGroup } from "./slot-group.js";
import type { StopState } from "./stop-state.js";

/** How long a poller waits for more room before polling for just a few messages, ms. */
const GATHER_MS = 20;

export interface ReceiveLoopDeps {
  o: Pick<ResolvedConsumeOptions, "fifo" | "MaxNumberOfMessages" | "WaitTimeSeconds" | "backoff">;
  queueUrl: string;
  /** The long-polling twin of the client. */
  receiver: SQSClient;
  receiveOptions: ReceiveOptions;
  rate: ReceiveRate | undefined;
  /** FIFO with a dead-letter queue: how many messages a receive may ask for. */
  guard: PoisonGuard | undefined;
  stop: StopState;
  counters: ConsumeCounters;
  telemetry: ConsumerTelemetry | undefined;
  logger: Logger;
  reporter: ConsumeReporter;
  /** A fatal error: the consumer stops. */
  requestStop: () => void;
  /** Messages received while stopping: visible again at once. */
  release: (messages: Message[]) => void;
  dispatch: (slot: SlotGroup, messages: Message[], windowStartedAt: number) => void;
}

/** Polls for `slot` until the consumer stops. */
export async function receiveLoop(slot: SlotGroup, deps: ReceiveLoopDeps): Promise<void> {
  const { o, queueUrl, receiver, receiveOptions, rate, guard, stop, counters, telemetry, logger, reporter } = deps;
  // FIFO slots count groups, and any free one is worth a full receive.
  const target = o.fifo ? 1 : Math.min(o.MaxNumberOfMessages, slot.size);
  let failures = 0;
  // FIFO: a receive retried after an error keeps its attempt id, so a lost answer is not lost messages.
  const attempt = o.fifo ? new ReceiveAttempt() : undefined;
  while (!stop.stopping) {
    await slot.waitForRoom(1);
    // Room for one message while others finish: wait a moment for room for a full receive rather
    // than poll for crumbs, then let handlers finishing in the same turn release their slots too.
    // (With room for a full receive, or a closed group, i.e. stopping, this waits for nothing.)
    await slot.waitForRoom(target, GATHER_MS);
    await new Promise((resolve) => setImmediate(resolve));
    if (stop.stopping) break;
    // At a rate: ask only for the messages that can start now (tokens reserved before the poll, the
    // unused ones given back after it). The wait ends at once on stop().
    const reserved = rate ? await rate.acquire(o.fifo ? o.MaxNumberOfMessages : Math.max(1, slot.free), stop.pollAbort.signal) : Infinity;
    if (stop.stopping) {
      rate?.settle(reserved, 0);
      break;
    }
    const windowStartedAt = Date.now();
    counters.polls += 1;
    let messages: Message[] = [];
    try {
      const input = receiveMessageInput(queueUrl, receiveOptions, Math.min(o.fifo ? Infinity : slot.free, reserved, guard?.maxMessages(Date.now()) ?? Infinity));
      if (attempt) input.ReceiveRequestAttemptId = attempt.current();
      const output = await receiver.send(new ReceiveMessageCommand(input), { abortSignal: stop.pollAbort.signal });
      attempt?.answered();
      messages = output.Messages ?? [];
      failures = 0;
    } catch (error) {
      rate?.settle(reserved, 0);
      const kind = classifyError(error, stop.pollAbort.signal);
      if (kind === "aborted") break;
      counters.receiveErrors += 1;
      if (kind === "fatal" || providerStopped(error)) {
        stop.fatal ??= { error };
        logger.error(
          kind === "fatal"
            ? `awscreds/sqs: ReceiveMessage failed and cannot succeed on retry; stopping: ${describeError(error)}`
            : `awscreds/sqs: the client's credentials provider was stopped; stopping: ${describeError(error)}`,
        );
        reporter.report(error, { operation: "ReceiveMessage", kind });
        deps.requestStop();
        break;
      }
      const delayMs = backoffDelayMs(failures, o.backoff);
      failures += 1;
      logger.warn(`awscreds/sqs: ReceiveMessage failed (${kind}), retrying in ${delayMs} ms: ${describeError(error)}`);
      reporter.report(error, { operation: "ReceiveMessage", kind, delayMs });
      await sleep(delayMs, stop.pollAbort.signal);
      continue;
    }
    rate?.settle(reserved, messages.length);
    if (messages.length === 0) {
      counters.emptyPolls += 1;
      if (o.WaitTimeSeconds === 0) await sleep(1_000, stop.pollAbort.signal);
      continue;
    }
    counters.received += messages.length;
    telemetry?.received(messages.length);
    if (stop.stopping) {
      deps.release(messages);
      break;
    }
    deps.dispatch(slot, messages, windowStartedAt);
  }
}
