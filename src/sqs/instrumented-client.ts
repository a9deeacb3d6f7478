/**
 * An SQS client that times each of its calls for `messaging.client.operation.duration`: a thin twin of
 * the caller's client (same config, credentials, sockets and middleware; only `send` is wrapped), so the
 * consumer's deletes, heartbeats and receives are measured without touching the application's client.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { ConsumerTelemetry } from "../telemetry/messaging.js";

/** Command classes by SQS action: `instanceof` survives minifiers that rename classes. */
const ACTIONS: [abstract new (...args: never[]) => unknown, string][] = [
  [ReceiveMessageCommand, "ReceiveMessage"],
  [DeleteMessageBatchCommand, "DeleteMessageBatch"],
  [DeleteMessageCommand, "DeleteMessage"],
  [ChangeMessageVisibilityBatchCommand, "ChangeMessageVisibilityBatch"],
  [ChangeMessageVisibilityCommand, "ChangeMessageVisibility"],
  [GetQueueAttributesCommand, "GetQueueAttributes"],
];

function actionOf(command: unknown): string {
  for (const [type, action] of ACTIONS) if (command instanceof type) return action;
  return "_OTHER";
}

/**
 * `client` with each call reported to `telemetry` (the client itself when telemetry is off).
 *
 * @example
 * ```ts
 * const sqs = instrumentedClient(client, consumerTelemetry(options.telemetry, { queueUrl }));
 * await sqs.send(new DeleteMessageBatchCommand(input)); // recorded as DeleteMessageBatch
 * ```
 */
export function instrumentedClient(client: SQSClient, telemetry: ConsumerTelemetry | undefined): SQSClient {
  if (telemetry === undefined) return client;
  const twin = Object.create(client) as SQSClient;
  const send = client.send.bind(client) as (command: unknown, options?: unknown) => Promise<unknown>;
  const timed = async (command: unknown, options?: unknown): Promise<unknown> => {
    const started = performance.now();
    try {
      const output = await send(command, options);
      telemetry.operation(actionOf(command), (performance.now() - started) / 1000);
      return output;
    } catch (error) {
      // A call we aborted ourselves (stop) is not a failed operation worth a data point.
      if (!(typeof error === "object" && error !== null && (error as { name?: unknown }).name === "AbortError")) {
        telemetry.operation(actionOf(command), (performance.now() - started) / 1000, error);
      }
      throw error;
    }
  };
  Object.defineProperty(twin, "send", { value: timed, writable: true, configurable: true });
  return twin;
}
