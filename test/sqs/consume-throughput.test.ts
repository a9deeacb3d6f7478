import { describe, expect, it } from "vitest";
import { consume } from "../../src/sqs/index.js";
import { fakeSqsForFile, loadMessages, waitFor } from "./support.js";

const aws = fakeSqsForFile({ requestHandler: { requestTimeout: 5_000, throwOnRequestTimeout: true } });

describe("consume at volume", () => {
  it(
    "handles 10,000 messages with concurrency 20: every one exactly once, none lost, concurrency never exceeded",
    async () => {
      const total = 10_000;
      const queue = aws.fake.sqs.createQueue("volume");
      await loadMessages(aws.client, queue, total);
      expect(aws.fake.sqs.messageCount("volume")).toBe(total);

      const handled = new Map<string, number>();
      let running = 0;
      let maxRunning = 0;
      const errors: unknown[] = [];
      const consumer = consume({
        client: aws.client,
        queueUrl: queue,
        concurrency: 20,
        WaitTimeSeconds: 1,
        onError: (error) => errors.push(error),
        handler: async (message) => {
          running += 1;
          maxRunning = Math.max(maxRunning, running);
          // Yield to the event loop like a handler doing real I/O would.
          await new Promise((resolve) => setImmediate(resolve));
          handled.set(message.Body!, (handled.get(message.Body!) ?? 0) + 1);
          running -= 1;
        },
      });

      await waitFor(() => consumer.counters.deleted === total, 50_000, "all messages deleted");
      await consumer.stop();

      expect(handled.size).toBe(total);
      expect([...handled.values()].every((n) => n === 1)).toBe(true);
      expect(maxRunning).toBeLessThanOrEqual(20);
      expect(aws.fake.sqs.messageCount("volume")).toBe(0);
      expect(aws.fake.sqs.counts("volume")).toMatchObject({ sent: total, deleted: total });
      expect(consumer.counters).toMatchObject({ received: total, processed: total, failed: 0, deleted: total, deleteFailures: 0, inFlight: 0 });
      expect(errors).toEqual([]);
      // Deletes were batched: far fewer calls than messages.
      expect(aws.fake.sqs.count("DeleteMessageBatch")).toBeLessThan(total / 5);
      expect(aws.fake.sqs.count("DeleteMessage")).toBe(0);
    },
    60_000,
  );
});
