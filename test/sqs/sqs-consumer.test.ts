import { SQSClient } from "@aws-sdk/client-sqs";
import { Consumer } from "sqs-consumer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLongPollingClient } from "../../src/sqs/index.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { clearAwsEnv, fakeClient, loadMessages, waitFor } from "./support.js";

clearAwsEnv();

let fake: FakeAws;
let base: SQSClient;

beforeAll(async () => {
  fake = await startFakeAws();
  base = fakeClient(fake, { maxAttempts: 1, requestHandler: { requestTimeout: 2_000, throwOnRequestTimeout: true } });
});

afterAll(async () => {
  base.destroy();
  await fake.close();
});

async function stopConsumer(consumer: Consumer): Promise<void> {
  const stopped = new Promise<void>((resolve) => consumer.once("stopped", () => resolve()));
  consumer.stop({ abort: true });
  await stopped;
}

describe("the long-polling client as sqs-consumer's `sqs`", () => {
  it(
    "survives quiet long polls that the short-timeout base client cannot, and processes everything",
    async () => {
      // Control: sqs-consumer on the base client fails its 4 s long polls at the 2 s timeout.
      const control = Consumer.create({
        queueUrl: fake.sqs.createQueue("control"),
        sqs: base,
        waitTimeSeconds: 4,
        handleMessage: async (message) => message,
      });
      const controlErrors: Error[] = [];
      control.on("error", (error) => controlErrors.push(error));

      const poller = createLongPollingClient(base);
      const queue = fake.sqs.createQueue("with-sqs-consumer");
      const handled = new Set<string>();
      const errors: Error[] = [];
      let empties = 0;
      const consumer = Consumer.create({
        queueUrl: queue,
        sqs: poller,
        waitTimeSeconds: 4,
        batchSize: 10,
        handleMessage: async (message) => {
          handled.add(message.Body!);
          return message;
        },
      });
      consumer.on("error", (error) => errors.push(error));
      consumer.on("empty", () => (empties += 1));

      control.start();
      consumer.start();
      await loadMessages(base, queue, 10, "a");
      await waitFor(() => handled.size === 10, 10_000, "the first 10");
      // A full quiet 4 s poll, twice the base client's timeout.
      const emptiesBefore = empties;
      await waitFor(() => empties > emptiesBefore, 8_000, "an empty long poll");
      await loadMessages(base, queue, 10, "b");
      await waitFor(() => handled.size === 20, 10_000, "the next 10");
      await waitFor(() => fake.sqs.messageCount("with-sqs-consumer") === 0, 5_000, "the deletes");

      await Promise.all([stopConsumer(consumer), stopConsumer(control)]);
      poller.destroy();

      expect(errors).toEqual([]);
      expect(handled.size).toBe(20);
      expect(controlErrors.length).toBeGreaterThan(0);
      expect(controlErrors[0]?.message).toMatch(/requestTimeout/);
    },
    30_000,
  );
});
