/** Shared setup of the DeleteBatcher tests: received messages of a fresh queue, and a batcher that records what it does. */
import { ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { DeleteBatcher, type DeleteBatcherOptions, type DeleteEntry } from "../../src/sqs/delete-batcher.js";
import type { ErrorKind } from "../../src/sqs/classify-error.js";
import type { FakeAws } from "../../src/testing/index.js";
import { loadMessages } from "./support.js";

export interface Entry extends DeleteEntry {
  body: string;
}

/** Queue `name` with `count` messages, all received (in flight for `visibilityTimeoutS`), as batcher entries. */
export async function receivedEntries(
  fake: FakeAws,
  client: SQSClient,
  name: string,
  count: number,
  visibilityTimeoutS: number,
): Promise<{ queueUrl: string; entries: Entry[] }> {
  const queueUrl = fake.sqs.createQueue(name, { VisibilityTimeout: String(visibilityTimeoutS) });
  await loadMessages(client, queueUrl, count);
  const entries: Entry[] = [];
  while (entries.length < count) {
    const out = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    for (const m of out.Messages ?? []) entries.push({ receiptHandle: m.ReceiptHandle!, attempts: 0, body: m.Body! });
  }
  return { queueUrl, entries };
}

/** A DeleteBatcher whose callbacks record the bodies deleted, the ones given up (and why) and each error report. */
export function recordingBatcher(options: Omit<DeleteBatcherOptions<Entry>, "onDeleted" | "onGiveUp" | "onError">) {
  const deleted: string[] = [];
  const givenUp: { body: string; reason: unknown }[] = [];
  const errors: { error: unknown; kind: ErrorKind; delayMs: number | undefined }[] = [];
  const batcher = new DeleteBatcher<Entry>({
    ...options,
    onDeleted: (entry) => deleted.push(entry.body),
    onGiveUp: (entry, reason) => givenUp.push({ body: entry.body, reason }),
    onError: (error, kind, delayMs) => errors.push({ error, kind, delayMs }),
  });
  return { batcher, deleted, givenUp, errors };
}
