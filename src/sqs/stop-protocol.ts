/**
 * `consume`'s stop protocol. Asking to stop ends the polls at once and hands back what waits its turn;
 * once the pollers have ended, running handlers get until `stopTimeoutMs` (then they are abandoned and
 * sealed off), the deletes are flushed and the side calls settle — after which no SQS call of the
 * consumer is still to come.
 */
import type { Logger } from "../shared/logger.js";
import type { ConsumeCounters } from "./consume-counters.js";
import type { DeleteBatcher } from "./delete-batcher.js";
import type { Handoff } from "./handoff.js";
import type { Held } from "./held.js";
import type { SideCalls } from "./side-calls.js";
import { sleep } from "./sleep.js";
import type { SlotGroup } from "./slot-group.js";
import type { StopState } from "./stop-state.js";

/** The consumer's `requestStop`: idempotent; safe from a poller, the `signal` listener or `stop()`. */
export function stopRequester(stop: StopState, stopTimeoutMs: number, handoff: Handoff, slots: readonly SlotGroup[]): () => void {
  return () => {
    if (!stop.begin(stopTimeoutMs)) return;
    // Messages waiting for their turn (FIFO groups, capped groups) are not started any more: handed back.
    handoff.drainOnStop();
    for (const slot of slots) slot.close();
  };
}

export interface WindDownDeps {
  stop: StopState;
  /** The running handler tasks (settling, never rejecting). */
  running: ReadonlySet<Promise<void>>;
  counters: ConsumeCounters;
  logger: Logger;
  stopTimeoutMs: number;
  deleteFlushTimeoutMs: number;
  batcher: DeleteBatcher<Held>;
  sideCalls: SideCalls;
}

/** After the pollers have ended: waits for the handlers (up to the deadline), abandons the rest, flushes deletes. */
export async function windDown(deps: WindDownDeps): Promise<void> {
  const { stop, running, counters, logger } = deps;
  const timer = new AbortController();
  await Promise.race([Promise.allSettled([...running]), sleep(Math.max(0, stop.handlersDeadline - Date.now()), timer.signal)]);
  timer.abort();
  // No handler starts once the pollers have ended, so whatever still runs has outlived stopTimeoutMs.
  if (running.size > 0) {
    counters.abandoned = running.size;
    logger.warn(
      `awscreds/sqs: ${running.size} handler(s) still running after stopTimeoutMs (${deps.stopTimeoutMs} ms); ` +
        "their signal is aborted and their messages will be delivered again.",
    );
    // Sealed before the abort: a handler that returns from its abort listener must not slip a delete
    // into the batcher while it closes (that delete would land after stop() resolved).
    stop.abandonHandlers();
  }
  // Nothing adds deletes or side calls any more: every handler settled, or was abandoned and sealed off.
  await deps.batcher.close(Date.now() + deps.deleteFlushTimeoutMs);
  await deps.sideCalls.settled();
}
