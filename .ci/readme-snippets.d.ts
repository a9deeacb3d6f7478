// Names README fragments use without defining them, declared with real types so that the fragments are
// checked against the real API (see .ci/readme-snippets.mjs). Keep it small: prefer self-contained snippets.
import type { Message, SQSClient } from "@aws-sdk/client-sqs";
import type { AwsCredentialIdentityProvider } from "@smithy/types";

declare global {
  // awscreds functions a fragment uses right after another snippet imported them.
  const fromEnvGatedChain: typeof import("awscreds").fromEnvGatedChain;
  const fromRegionalWebIdentity: typeof import("awscreds").fromRegionalWebIdentity;
  const createRefresher: typeof import("awscreds").createRefresher;
  const createLongPollingClient: typeof import("awscreds/sqs").createLongPollingClient;
  const pollMessages: typeof import("awscreds/sqs").pollMessages;
  const consume: typeof import("awscreds/sqs").consume;
  const SQSClient: typeof import("@aws-sdk/client-sqs").SQSClient;
  const DeleteMessageBatchCommand: typeof import("@aws-sdk/client-sqs").DeleteMessageBatchCommand;
  // The user's own things.
  const queueUrl: string;
  const sqs: SQSClient;
  const poller: SQSClient;
  const logger: { debug(...a: unknown[]): void; info(...a: unknown[]): void; warn(...a: unknown[]): void; error(...a: unknown[]): void };
  const log: { warn(...a: unknown[]): void };
  const metrics: { increment(name: string): void };
  const app: { get(path: string, handler: (req: unknown, res: { status(code: number): { json(body: unknown): void } }) => void): void };
  const consumer: { sqsClient: SQSClient };
  const otherProvider: AwsCredentialIdentityProvider;
  // The application's own Redis client (ioredis 5 or node-redis 5), README "Many replicas".
  const redis: import("awscreds/redis").RedisClientLike;
  // The application's OpenTelemetry SDK providers (README "Telemetry"); awscreds' option types fit them.
  const meterProvider: import("awscreds").TelemetryMeterProvider;
  const tracerProvider: import("awscreds").TelemetryTracerProvider;
  function handle(message: Message): Promise<void>;
  function handleMessage(message: Message): Promise<Message | undefined>; // sqs-consumer 14: the message when handled
  function processOrder(order: unknown): Promise<void>;
  // Another SDK client, as in "every client shares one refresher" (not installed in the check app).
  class S3Client {
    constructor(config: { credentials?: AwsCredentialIdentityProvider; region?: string });
  }
}
export {};
