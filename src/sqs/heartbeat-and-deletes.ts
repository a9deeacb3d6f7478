/**
 * `consume`'s two background writers, wired to its counters and error reporting: the visibility
 * heartbeat that keeps messages in hand invisible, and the batcher that deletes handled ones.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Logger } from "../shared/logger.js";
import { describeError } from "./classify-error.js";
import type { ConsumeCounters } from "./consume-counters.js";
import type { ResolvedConsumeOptions } from "./consume-options.js";
import type { ConsumeReporter } from "./consume-reporter.js";
import { DeleteBatcher } from "./delete-batcher.js";
import type { Held } from "./held.js";
import { VisibilityHeartbeat } from "./visibility-heartbeat.js";

const DELETE_MAX_ATTEMPTS = 5;
const DELETE_MAX_IN_FLIGHT = 4;

export interface UpkeepDeps {
  client: SQSClient;
  queueUrl: string;
  o: Pick<ResolvedConsumeOptions, "VisibilityTimeout" | "heartbeatIntervalMs" | "deleteFlushDelayMs" | "backoff">;
  counters: ConsumeCounters;
  logger: Logger;
  reporter: ConsumeReporter;
}

export function consumeHeartbeat({ client, queueUrl, o, counters, logger, reporter }: UpkeepDeps): VisibilityHeartbeat {
  return new VisibilityHeartbeat({
    client,
    queueUrl,
    visibilityTimeoutSeconds: o.VisibilityTimeout,
    intervalMs: o.heartbeatIntervalMs,
    onExtended: (n) => {
      counters.visibilityExtensions += n;
    },
    onError: (error, kind) => {
      logger.warn(`awscreds/sqs: visibility heartbeat failed (${kind}), retrying at the next tick: ${describeError(error)}`);
      reporter.report(error, { operation: "ChangeMessageVisibilityBatch", kind });
    },
  });
}

/** Deletes handled messages in batches; a deleted (or given-up) message leaves the heartbeat. */
export function consumeDeleteBatcher({ client, queueUrl, o, counters, logger, reporter }: UpkeepDeps, heartbeat: VisibilityHeartbeat): DeleteBatcher<Held> {
  return new DeleteBatcher<Held>({
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
      reporter.report(error, delayMs === undefined ? { operation: "DeleteMessageBatch", kind } : { operation: "DeleteMessageBatch", kind, delayMs });
    },
  });
}
