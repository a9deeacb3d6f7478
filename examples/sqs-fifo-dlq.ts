/**
 * A FIFO queue with a dead-letter queue, consumed with `consume`, against the loopback fakes:
 * `npx tsx examples/sqs-fifo-dlq.ts`
 *
 * Order events are grouped by customer (`MessageGroupId`): each customer's events are handled one at a
 * time in order, different customers side by side. One event cannot be parsed (a poison message): it is
 * retried with a backoff that grows with its receive count, and after `maxReceiveCount` receives SQS's
 * redrive policy moves it to the dead-letter queue, so that customer's later events are handled after
 * all, still in order.
 *
 * In your code: `import { consume } from "awscreds/sqs"` and `import { startFakeAws } from
 * "awscreds/testing"`. This file imports the sources so it runs from a checkout without a build.
 */
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { consume, type FailedMessageInfo } from "../src/sqs/index.js";
import { startFakeAws } from "../src/testing/index.js";

const MAX_RECEIVES = 3;

/**
 * The poison-message recipe: back off 0 s, 1 s, 3 s, … as the receive count grows, and on the last
 * receive SQS allows, make the message visible at once, so the next receive moves it to the DLQ
 * instead of waiting out a backoff first.
 */
const retryDelay = ({ receiveCount = 1 }: FailedMessageInfo): number =>
  receiveCount >= MAX_RECEIVES ? 0 : Math.min(900, 2 ** (receiveCount - 1) - 1);

const fake = await startFakeAws();
const sqs = new SQSClient({
  region: fake.region,
  endpoint: fake.sqs.endpoint,
  credentials: fake.registerStaticKeys(),
  requestHandler: { requestTimeout: 2_000, throwOnRequestTimeout: true },
});

try {
  fake.sqs.createQueue("orders-dlq.fifo", { FifoQueue: "true" });
  const dlqArn = `arn:aws:sqs:${fake.region}:${fake.accountId}:orders-dlq.fifo`;
  const queueUrl = fake.sqs.createQueue("orders.fifo", {
    FifoQueue: "true",
    ContentBasedDeduplication: "true",
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: MAX_RECEIVES }),
  });

  const events: [customer: string, body: string][] = [];
  for (const step of ["created", "paid", "shipped"]) {
    for (const customer of ["c1", "c2", "c3"]) {
      events.push([customer, JSON.stringify({ customer, step })]);
      if (customer === "c2" && step === "created") events.push([customer, "{not json"]);
    }
  }
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: events.map(([customer, body], i) => ({ Id: String(i), MessageBody: body, MessageGroupId: customer })),
    }),
  );

  const handled = new Map<string, string[]>();
  const consumer = consume({
    client: sqs,
    queueUrl, // ends in .fifo: handled per message group, in order
    concurrency: 3,
    // One message per receive: SQS counts a receive against every message it returns, so messages
    // received behind a poison message would otherwise reach maxReceiveCount (and the DLQ) with it.
    MaxNumberOfMessages: 1,
    failureVisibilityTimeout: retryDelay,
    handler: (message) => {
      const event = JSON.parse(message.Body ?? "") as { customer: string; step: string };
      handled.set(event.customer, [...(handled.get(event.customer) ?? []), event.step]);
    },
    onFailed: (message, error) =>
      console.log(`receive ${message.Attributes?.ApproximateReceiveCount} of ${message.Attributes?.MessageGroupId}'s ${JSON.stringify(message.Body)} failed: ${(error as Error).name}`),
  });
  const stop = (): void => void consumer.stop();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);

  while (consumer.counters.deleted < 9 && !consumer.stopping) await new Promise((resolve) => setTimeout(resolve, 50));
  await consumer.stop();
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);

  for (const [customer, steps] of [...handled].sort()) console.log(`customer ${customer}: ${steps.join(" → ")}`);
  for (const dead of fake.sqs.messages("orders-dlq.fifo")) {
    console.log(`dead-letter queue: ${JSON.stringify(dead.body)} from ${dead.messageGroupId} after ${dead.receiveCount} receives`);
  }
} finally {
  sqs.destroy();
  await fake.close();
}
