/**
 * FIFO with a dead-letter queue: the one `GetQueueAttributes` at start that tells the poison guard the
 * queue's `maxReceiveCount`. Until it answers (or if it is denied), a DLQ is assumed.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Logger } from "../shared/logger.js";
import type { PoisonGuard } from "./poison-guard.js";
import { readMaxReceiveCount } from "./redrive-policy.js";
import type { SideCalls } from "./side-calls.js";

export interface FifoDlqPolicyDeps {
  client: SQSClient;
  queueUrl: string;
  logger: Logger;
  /** Nobody listens (no onError, no logger): the read's warning goes to the console too. */
  echoToConsole: boolean;
  signal: AbortSignal;
  sideCalls: SideCalls;
}

/** Starts the read; tracked as a side call, so `stop()` waits for it. */
export function loadFifoDlqPolicy(guard: PoisonGuard, { client, queueUrl, logger, echoToConsole, signal, sideCalls }: FifoDlqPolicyDeps): void {
  const warnings = {
    warn: (line: string): void => {
      logger.warn(line);
      if (echoToConsole) console.warn(line);
    },
  };
  sideCalls.track(
    readMaxReceiveCount(client, queueUrl, warnings, signal).then((count) => {
      if (count !== "unknown") guard.policy(count);
    }),
  );
}
