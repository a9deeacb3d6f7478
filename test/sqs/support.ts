/** Shared setup for the SQS end-to-end tests: loopback fakes only, no AWS_* leaking in from the shell. */
import { SendMessageBatchCommand, SQSClient, type SQSClientConfig } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll } from "vitest";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";

/** Drops every AWS_* variable so nothing in the environment can point a client at real AWS. */
export function clearAwsEnv(): void {
  for (const key of Object.keys(process.env)) if (key.startsWith("AWS_")) delete process.env[key];
}

/** An ordinary SQS client on the fake, signed with registered static keys. */
export function fakeClient(fake: FakeAws, config: SQSClientConfig = {}): SQSClient {
  return new SQSClient({
    region: fake.region,
    endpoint: fake.sqs.endpoint,
    credentials: fake.registerStaticKeys(),
    ...config,
  });
}

/**
 * The fake AWS and an ordinary SQS client on it (`config` as for `fakeClient`), for every test of the calling file: started (with no AWS_*
 * variable left) before the first test, closed after the last. Read `fake` and `client` inside tests.
 */
export function fakeSqsForFile(config: SQSClientConfig = {}): { readonly fake: FakeAws; readonly client: SQSClient } {
  let fake: FakeAws | undefined;
  let client: SQSClient | undefined;
  beforeAll(async () => {
    clearAwsEnv();
    fake = await startFakeAws();
    client = fakeClient(fake, config);
  });
  afterAll(async () => {
    client?.destroy();
    await fake?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("fakeSqsForFile(): read fake and client inside a test or hook, not at load time");
    return value;
  };
  return {
    get fake() {
      return started(fake);
    },
    get client() {
      return started(client);
    },
  };
}

/**
 * A maker of fresh standard queues on the file's fake (`aws` from `fakeSqsForFile`), named `<prefix>-1`,
 * `<prefix>-2`, …, so no two tests of a file share a queue. Call the maker inside tests.
 */
export function queueMaker(aws: { readonly fake: FakeAws }, prefix: string): () => { name: string; url: string } {
  let counter = 0;
  return () => {
    counter += 1;
    const name = `${prefix}-${counter}`;
    return { name, url: aws.fake.sqs.createQueue(name) };
  };
}

/** Loads `count` messages with SendMessageBatch (bodies "0".."count-1"), a few batches in flight at once. */
export async function loadMessages(client: SQSClient, queueUrl: string, count: number, prefix = ""): Promise<void> {
  const batches: string[][] = [];
  for (let i = 0; i < count; i += 10) {
    batches.push(Array.from({ length: Math.min(10, count - i) }, (_, j) => `${prefix}${i + j}`));
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const bodies = batches[next++]!;
      const out = await client.send(
        new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: bodies.map((body, j) => ({ Id: String(j), MessageBody: body })) }),
      );
      if (out.Failed && out.Failed.length > 0) throw new Error(`SendMessageBatch failed for ${out.Failed.length} entries`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** Polls `predicate` until it holds or `timeoutMs` passes (then throws with `what`). */
export async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
