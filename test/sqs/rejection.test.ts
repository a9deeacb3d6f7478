/**
 * Credentials AWS rejects while they look valid (issue 20), through the clients awscreds builds or drives:
 * `createLongPollingClient`, `pollMessages` and `consume` recover by themselves — the caller (a handler,
 * an iterator, `onError`) never sees the rejection, and it costs one STS call.
 */
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRefresher, type Refresher } from "../../src/refresh/index.js";
import { consume, createLongPollingClient, pollMessages } from "../../src/sqs/index.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { isolateAwsEnv, webIdentitySource } from "../refresh/e2e-helpers.js";
import { delay, fakeClient, waitFor } from "./support.js";

let restoreEnv: () => void;
let fake: FakeAws;
let tokenFile: string;
let sender: SQSClient;
const cleanups: (() => void | Promise<void>)[] = [];

beforeAll(async () => {
  restoreEnv = isolateAwsEnv();
  fake = await startFakeAws();
  tokenFile = await fake.writeWebIdentityToken();
  sender = fakeClient(fake);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  sender.destroy();
  await fake?.close();
  restoreEnv?.();
});

const assumeCalls = (): number => fake.sts.count("AssumeRoleWithWebIdentity");
const sendTo = (queueUrl: string, body: string) => sender.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));

/** A base client (short timeouts, as services set them) on a refresher of web identity credentials. */
async function baseClient(): Promise<{ credentials: Refresher; client: SQSClient }> {
  const credentials = createRefresher(webIdentitySource(fake, tokenFile, "sqs-rejection"));
  const client = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials, requestHandler: { requestTimeout: 2_000, throwOnRequestTimeout: true } });
  cleanups.push(() => {
    client.destroy();
    credentials.stop();
  });
  await credentials.ready;
  return { credentials, client };
}

describe("the SQS helpers recover from rejected credentials by themselves", () => {
  it("createLongPollingClient: a receive after fake.expireCredentials(key) succeeds, one STS call", async () => {
    const queueUrl = fake.sqs.createQueue("reject-polling-client");
    const { credentials, client } = await baseClient();
    const poller = createLongPollingClient(client);
    cleanups.push(() => poller.destroy());
    const key = (await credentials()).accessKeyId;
    const before = assumeCalls();
    fake.expireCredentials(key);
    await sendTo(queueUrl, "one");

    const { ReceiveMessageCommand } = await import("@aws-sdk/client-sqs");
    const out = await poller.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));

    expect(out.Messages?.map((m) => m.Body)).toEqual(["one"]);
    expect(assumeCalls() - before).toBe(1);
    expect((await credentials()).accessKeyId).not.toBe(key);
  });

  it("pollMessages: the poll after the rejection yields the message, no onError, one STS call", async () => {
    const queueUrl = fake.sqs.createQueue("reject-poll-messages");
    const { credentials, client } = await baseClient();
    const key = (await credentials()).accessKeyId;
    const errors: unknown[] = [];
    const abort = new AbortController();
    const iterator = pollMessages(client, { queueUrl, WaitTimeSeconds: 1, signal: abort.signal, onError: (e) => errors.push(e), backoff: { initialDelayMs: 5_000, maxDelayMs: 5_000 } });
    cleanups.push(() => abort.abort());
    const before = assumeCalls();
    fake.expireCredentials(key);
    await sendTo(queueUrl, "after rejection");

    const startedAt = Date.now();
    const first = await iterator.next();

    expect(first.value?.map((m) => m.Body)).toEqual(["after rejection"]);
    expect(errors).toEqual([]);
    // A backoff of 5 s after a failed poll would show here.
    expect(Date.now() - startedAt).toBeLessThan(4_000);
    expect(assumeCalls() - before).toBe(1);
    abort.abort();
    await iterator.return(undefined);
  });

  it("consume: messages sent after the rejection are handled within seconds, each once; deletes and receives recover; no onError", async () => {
    const queueUrl = fake.sqs.createQueue("reject-consume");
    const { credentials, client } = await baseClient();
    const handled: string[] = [];
    const errors: unknown[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const consumer = consume({
      client,
      queueUrl,
      WaitTimeSeconds: 1,
      concurrency: 4,
      backoff: { initialDelayMs: 5_000, maxDelayMs: 5_000 },
      onError: (e) => errors.push(e),
      handler: async (message) => {
        // The first message is held while the credentials are rejected, so its delete meets the rejection.
        if (message.Body === "held") await gate;
        handled.push(message.Body ?? "");
      },
    });
    cleanups.push(() => consumer.stop());
    await sendTo(queueUrl, "held");
    await waitFor(() => consumer.counters.inFlight === 1, 5_000, "the held message's handler to start");
    const before = assumeCalls();
    fake.expireCredentials((await credentials()).accessKeyId);
    release();
    const sentAt = Date.now();
    for (let i = 0; i < 5; i++) await sendTo(queueUrl, `after ${i}`);

    await waitFor(() => consumer.counters.deleted === 6, 8_000, "six deletes");
    const tookMs = Date.now() - sentAt;
    await delay(1_500); // room for a duplicate delivery to show

    expect(handled.sort()).toEqual(["after 0", "after 1", "after 2", "after 3", "after 4", "held"]);
    expect(errors).toEqual([]);
    expect(tookMs).toBeLessThan(5_000);
    expect(assumeCalls() - before).toBe(1);
    expect(consumer.counters.failed).toBe(0);
  });

  it("consume: deletes through the base client recover too (receives on other, valid credentials)", async () => {
    const queueUrl = fake.sqs.createQueue("reject-consume-deletes");
    const { credentials, client } = await baseClient();
    const pollingClient = createLongPollingClient(fakeClient(fake));
    cleanups.push(() => pollingClient.destroy());
    const errors: unknown[] = [];
    const consumer = consume({ client, pollingClient, queueUrl, WaitTimeSeconds: 1, backoff: { initialDelayMs: 5_000, maxDelayMs: 5_000 }, onError: (e) => errors.push(e), handler: async () => undefined });
    cleanups.push(() => consumer.stop());
    const before = assumeCalls();
    fake.expireCredentials((await credentials()).accessKeyId);
    for (let i = 0; i < 3; i++) await sendTo(queueUrl, `delete me ${i}`);

    await waitFor(() => consumer.counters.deleted === 3, 4_000, "three deletes");

    expect(fake.sqs.calls.filter((c) => c.errorCode === "ExpiredToken").map((c) => c.action)).toContain("DeleteMessageBatch");
    expect(errors).toEqual([]);
    expect(consumer.counters.deleteFailures).toBe(0);
    expect(assumeCalls() - before).toBe(1);
  });
});
