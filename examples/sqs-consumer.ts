/**
 * The long-polling client as the `sqs` client of sqs-consumer, against the loopback fakes:
 * `npx tsx examples/sqs-consumer.ts`
 *
 * The application's SQS client has a 2 s request timeout. Handed to sqs-consumer directly, every quiet
 * 5 s long poll would end in a TimeoutError; its long-polling twin bounds ReceiveMessage at
 * WaitTimeSeconds + grace instead, while deletes keep the 2 s timeout.
 *
 * In your code: `import { createLongPollingClient } from "awscreds/sqs"`. This file imports the sources
 * so it runs from a checkout without a build.
 */
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { Consumer } from "sqs-consumer";
import { createLongPollingClient } from "../src/sqs/index.js";
import { startFakeAws } from "../src/testing/index.js";

const fake = await startFakeAws();
const sqs = new SQSClient({
  region: fake.region,
  endpoint: fake.sqs.endpoint,
  credentials: fake.registerStaticKeys(),
  requestHandler: { requestTimeout: 2_000, throwOnRequestTimeout: true },
});
const poller = createLongPollingClient(sqs);

try {
  const queueUrl = fake.sqs.createQueue("emails");
  const handled: string[] = [];
  const errors: string[] = [];
  const consumer = Consumer.create({
    queueUrl,
    sqs: poller,
    waitTimeSeconds: 5,
    batchSize: 10,
    handleMessage: async (message) => {
      handled.push(message.Body ?? "");
      return message; // acknowledged: sqs-consumer deletes it
    },
  });
  consumer.on("error", (error) => errors.push(error.message));
  consumer.start();

  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "welcome email" }));
  console.log("waiting through a quiet 5 s long poll (the base client would have timed out at 2 s)...");
  await new Promise((resolve) => setTimeout(resolve, 6_000));
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "receipt email" }));
  while (handled.length < 2) await new Promise((resolve) => setTimeout(resolve, 50));

  await new Promise<void>((resolve) => {
    consumer.once("stopped", () => resolve());
    consumer.stop({ abort: true });
  });
  console.log(`handled: ${handled.join(", ")}`);
  // The one error expected here is sqs-consumer reporting the poll that stop({ abort: true }) cancelled.
  console.log(`errors: ${errors.filter((e) => !/aborted/i.test(e)).length}`);
} finally {
  poller.destroy();
  sqs.destroy();
  await fake.close();
}
