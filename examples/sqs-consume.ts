/**
 * `consume` end to end, against the loopback fakes: `npx tsx examples/sqs-consume.ts`
 *
 * An ordinary SQS client with a short timeout (right for SendMessage and friends) is handed to `consume`,
 * which derives its own long-polling client for ReceiveMessage, runs the handler 10 at a time, keeps slow
 * messages invisible, deletes in batches and stops gracefully on SIGINT/SIGTERM.
 *
 * In your code: `import { consume } from "awscreds/sqs"`. This file imports the sources so it runs from
 * a checkout without a build.
 */
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { consume } from "../src/sqs/index.js";
import { startFakeAws } from "../src/testing/index.js";

const fake = await startFakeAws();
const sqs = new SQSClient({
  region: fake.region,
  endpoint: fake.sqs.endpoint,
  credentials: fake.registerStaticKeys(),
  requestHandler: { requestTimeout: 2_000, throwOnRequestTimeout: true },
});

try {
  const queueUrl = fake.sqs.createQueue("orders");
  const total = 50;
  for (let i = 0; i < total; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Array.from({ length: 10 }, (_, j) => ({ Id: String(j), MessageBody: JSON.stringify({ order: i + j }) })),
      }),
    );
  }

  let failedOnce = false;
  const consumer = consume({
    client: sqs,
    queueUrl,
    concurrency: 10,
    VisibilityTimeout: 10,
    // A failed message comes back right away instead of after its visibility timeout.
    failureVisibilityTimeout: 0,
    handler: async (message) => {
      const { order } = JSON.parse(message.Body ?? "{}") as { order: number };
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (order === 7 && !failedOnce) {
        failedOnce = true;
        throw new Error("payment service unavailable");
      }
    },
    onFailed: (message, error) => console.log(`failed ${message.MessageId}: ${(error as Error).message} (will be retried)`),
    onError: (error, { operation, kind }) => console.warn(`${operation} ${kind}: ${(error as Error).name}`),
  });
  const stop = (): void => void consumer.stop();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);

  while (consumer.counters.deleted < total && !consumer.stopping) await new Promise((resolve) => setTimeout(resolve, 50));
  await consumer.stop();
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);

  const { received, processed, failed, deleted, polls } = consumer.counters;
  console.log(`received ${received}, processed ${processed}, failed ${failed}, deleted ${deleted} in ${polls} polls`);
  console.log(`left in the queue: ${fake.sqs.messageCount("orders")}`);
} finally {
  sqs.destroy();
  await fake.close();
}
