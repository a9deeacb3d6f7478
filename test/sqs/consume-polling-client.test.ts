/**
 * Whose polling client consume() destroys at stop: the long-polling one it made, never the caller's.
 * A file of its own, with its own fake, so that counting this process's connections counts only these.
 */
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { Agent } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consume, type ConsumeOptions, type ConsumerHandle } from "../../src/sqs/index.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { clearAwsEnv, fakeClient, waitFor } from "./support.js";

clearAwsEnv();

let fake: FakeAws;

beforeAll(async () => {
  fake = await startFakeAws();
});

afterAll(async () => {
  await fake.close();
});

/**
 * A consumer of one message whose handler holds the only slot until stop(): the poller's connection sits
 * idle in its pool, not in a poll. Resolves once the handler runs.
 */
async function holdingItsSlotUntilStop(options: Pick<ConsumeOptions, "client" | "pollingClient" | "queueUrl">): Promise<ConsumerHandle> {
  let stopping = (): boolean => false;
  const consumer = consume({
    ...options,
    concurrency: 1,
    WaitTimeSeconds: 1,
    handler: () => waitFor(() => stopping(), 10_000, "stop()"),
  });
  stopping = () => consumer.stopping;
  await waitFor(() => consumer.counters.inFlight === 1, 10_000, "the handler to start");
  return consumer;
}

describe("consume: the polling client at stop()", () => {
  it("destroys the long-polling client it made: none of its connections outlives stop()", async () => {
    const queue = fake.sqs.createQueue("own-polling-client");
    // Both ends of each loopback connection live in this process: the fake's end is a ref'd socket.
    const sockets = () => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;
    const own = fakeClient(fake);
    const before = sockets();
    await own.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: "x" }));
    const consumer = await holdingItsSlotUntilStop({ client: own, queueUrl: queue });
    await consumer.stop();
    own.destroy();
    await waitFor(() => sockets() <= before, 3_000, "the consumer's connections to close");
    expect(consumer.counters.deleted).toBe(1);
    // The poller woke for stop() while waiting for room, and did not poll again.
    expect(consumer.counters.polls).toBe(1);
  });

  it("leaves the caller's polling client alone: its idle connection is still open after stop()", async () => {
    const queue = fake.sqs.createQueue("callers-polling-client");
    const client = fakeClient(fake);
    await client.send(new SendMessageCommand({ QueueUrl: queue, MessageBody: "x" }));
    const agent = new Agent({ keepAlive: true });
    const pollingClient = fakeClient(fake, { requestHandler: new NodeHttpHandler({ httpAgent: agent }) });
    const consumer = await holdingItsSlotUntilStop({ client, pollingClient, queueUrl: queue });
    const idle = Object.values(agent.freeSockets).flat();
    expect(idle).toHaveLength(1);
    await consumer.stop();
    expect(Object.values(agent.freeSockets).flat()).toEqual(idle);
    expect(idle[0]!.destroyed).toBe(false);
    pollingClient.destroy();
    client.destroy();
  });

  it("sizes the long-polling client it makes for its pollers: 100 slots are 10 pollers, all long-polling at once", async () => {
    const queue = fake.sqs.createQueue("ten-pollers");
    const client = fakeClient(fake);
    fake.sqs.clearCalls();
    // An empty queue and 20 s long polls: a poller short of a socket would wait out another's whole poll.
    const consumer = consume({ client, queueUrl: queue, concurrency: 100, WaitTimeSeconds: 20, handler: () => undefined });
    const receives = () => fake.sqs.calls.filter((c) => c.action === "ReceiveMessage" && c.details.queueUrl === queue).length;
    await waitFor(() => receives() === 10, 10_000, "10 long polls at the fake");
    await consumer.stop();
    client.destroy();
    expect(consumer.counters.polls).toBe(10);
  });
});
