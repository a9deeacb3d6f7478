/**
 * `createBatchSender`: the long-lived form of `sendMessages`, for code that has one message at a time
 * (a request handler): messages wait a few ms for others, then travel in batches.
 */
import type { SQSClient } from "@aws-sdk/client-sqs";
import { SendMessageError } from "./send-error.js";
import { SendEngine, type SendMessageEntry, type SendMessageResult, type SendStats } from "./send-engine.js";
import { resolveSendOptions, type BatchSenderOptions } from "./send-options.js";

export interface BatchSender {
  /** Queues one message; resolves with its result when its batch landed (never rejects). */
  send(message: SendMessageEntry): Promise<SendMessageResult>;
  /** Sends what waits now; resolves when every message given so far has its result. */
  flush(): Promise<void>;
  /** Flushes, then refuses new messages (`code: "SenderClosed"`). Call it at shutdown, before the process exits. */
  close(): Promise<void>;
  /** Calls, sent, failed and retried so far (updated in place). */
  readonly stats: Readonly<SendStats>;
}

/**
 * A sender that batches messages given one at a time: a batch leaves when it is full (10 messages or the
 * size limit) or when its first message has waited `lingerMs` (default 10 ms). Everything
 * {@link sendMessages} promises holds (retries of failed entries only, FIFO order per group, size checks,
 * trace context — taken when `send` is called, so each message carries its own request's trace).
 *
 * @example
 * ```ts
 * import { createBatchSender } from "awscreds/sqs";
 *
 * const events = createBatchSender(sqs, queueUrl, { lingerMs: 20 });
 * app.post("/events", async (req, res) => {
 *   const result = await events.send({ MessageBody: JSON.stringify(req.body) });
 *   res.status(result.ok ? 202 : 503).end();
 * });
 * process.once("SIGTERM", () => void events.close().then(() => server.close()));
 * ```
 */
export function createBatchSender(client: SQSClient, queueUrl: string, options: BatchSenderOptions = {}): BatchSender {
  const engine = new SendEngine(resolveSendOptions("createBatchSender", client, queueUrl, { ...options, lingerMs: options.lingerMs ?? 10 }));
  let closed = false;
  return {
    send(message) {
      if (closed) return Promise.resolve({ ok: false, error: new SendMessageError("the batch sender was closed", "SenderClosed", 0) });
      return engine.add(message);
    },
    flush: () => engine.flush(),
    close() {
      closed = true;
      return engine.flush();
    },
    stats: engine.stats,
  };
}
