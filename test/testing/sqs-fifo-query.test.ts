/**
 * FIFO queues and dead-letter queues through the fake SQS's Query protocol front end, driven by
 * aws-sdk v2.1400 (a Query client: form-encoded requests, XML answers), as older SDKs, boto3 and the
 * AWS CLI of their time use them.
 */
import AWSQuery from "aws-sdk-v2-query";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KnownCredentials } from "../../src/testing/core/credential-store.js";
import { startFakeAws, type FakeAws } from "../../src/testing/fake-aws.js";

type V2Error = Error & { code?: string; statusCode?: number };

let fake: FakeAws;
let keys: KnownCredentials;
let sqs: AWSQuery.SQS;
let counter = 0;

beforeAll(async () => {
  fake = await startFakeAws();
  keys = fake.registerStaticKeys();
  sqs = new AWSQuery.SQS({
    region: fake.region,
    endpoint: fake.sqs.endpoint,
    credentials: new AWSQuery.Credentials(keys.accessKeyId, keys.secretAccessKey, keys.sessionToken),
    maxRetries: 0,
  });
});
afterAll(() => fake.close());

async function v2ErrorOf(promise: Promise<unknown>): Promise<V2Error> {
  try {
    await promise;
  } catch (error) {
    return error as V2Error;
  }
  throw new Error("expected the call to fail");
}

async function createFifo(attributes: Record<string, string> = {}): Promise<{ url: string; arn: string; name: string }> {
  counter += 1;
  const name = `qf-${counter}.fifo`;
  const { QueueUrl } = await sqs.createQueue({ QueueName: name, Attributes: { FifoQueue: "true", ...attributes } }).promise();
  const { Attributes } = await sqs.getQueueAttributes({ QueueUrl: QueueUrl!, AttributeNames: ["QueueArn"] }).promise();
  return { url: QueueUrl!, arn: Attributes!.QueueArn!, name };
}

async function receive(url: string, max = 10, attemptId?: string): Promise<AWSQuery.SQS.Message[]> {
  const out = await sqs
    .receiveMessage({
      QueueUrl: url,
      MaxNumberOfMessages: max,
      AttributeNames: ["All"],
      WaitTimeSeconds: 0,
      ...(attemptId !== undefined ? { ReceiveRequestAttemptId: attemptId } : {}),
    })
    .promise();
  return out.Messages ?? [];
}

const bodies = (messages: AWSQuery.SQS.Message[]): string[] => messages.map((m) => m.Body ?? "");

describe("FIFO queues over the Query protocol (aws-sdk v2.1400)", () => {
  it("creates FIFO queues with their attributes and refuses the combinations SQS refuses", async () => {
    const q = await createFifo({ ContentBasedDeduplication: "true", DeduplicationScope: "messageGroup", FifoThroughputLimit: "perMessageGroupId" });
    expect(fake.sqs.calls.at(-1)?.details.protocol).toBe("query");
    const { Attributes } = await sqs.getQueueAttributes({ QueueUrl: q.url, AttributeNames: ["All"] }).promise();
    expect(Attributes).toMatchObject({ FifoQueue: "true", ContentBasedDeduplication: "true", DeduplicationScope: "messageGroup", FifoThroughputLimit: "perMessageGroupId" });
    const noSuffix = await v2ErrorOf(sqs.createQueue({ QueueName: "plain", Attributes: { FifoQueue: "true" } }).promise());
    expect(noSuffix).toMatchObject({ code: "InvalidParameterValue", statusCode: 400 });
    expect(noSuffix.message).toMatch(/must end with \.fifo suffix/);
    const noGroup = await v2ErrorOf(sqs.sendMessage({ QueueUrl: q.url, MessageBody: "x" }).promise());
    expect(noGroup).toMatchObject({ code: "MissingParameter", message: "The request must contain the parameter MessageGroupId." });
  });

  it("sends with group and deduplication ids, answers SequenceNumbers, delivers in order per group and holds a group in flight", async () => {
    const q = await createFifo();
    const first = await sqs.sendMessage({ QueueUrl: q.url, MessageBody: "a1", MessageGroupId: "A", MessageDeduplicationId: "a1" }).promise();
    expect(first.SequenceNumber).toMatch(/^\d{20}$/);
    const duplicate = await sqs.sendMessage({ QueueUrl: q.url, MessageBody: "a1 again", MessageGroupId: "A", MessageDeduplicationId: "a1" }).promise();
    expect(duplicate).toMatchObject({ MessageId: first.MessageId, SequenceNumber: first.SequenceNumber });
    const batch = await sqs
      .sendMessageBatch({
        QueueUrl: q.url,
        Entries: [
          { Id: "1", MessageBody: "b1", MessageGroupId: "B", MessageDeduplicationId: "b1" },
          { Id: "2", MessageBody: "a2", MessageGroupId: "A", MessageDeduplicationId: "a2" },
          { Id: "3", MessageBody: "b2", MessageGroupId: "B", MessageDeduplicationId: "b2" },
        ],
      })
      .promise();
    expect(batch.Successful.map((e) => e.SequenceNumber)).toEqual([expect.stringMatching(/^\d{20}$/), expect.stringMatching(/^\d{20}$/), expect.stringMatching(/^\d{20}$/)]);

    const [a1] = await receive(q.url, 1);
    expect(a1).toMatchObject({ Body: "a1", Attributes: { MessageGroupId: "A", MessageDeduplicationId: "a1", SequenceNumber: first.SequenceNumber } });
    // A is held while a1 is in flight: B comes next, whole.
    expect(bodies(await receive(q.url, 10))).toEqual(["b1", "b2"]);
    await sqs.sendMessage({ QueueUrl: q.url, MessageBody: "a3", MessageGroupId: "A", MessageDeduplicationId: "a3" }).promise();
    await sqs.deleteMessage({ QueueUrl: q.url, ReceiptHandle: a1!.ReceiptHandle! }).promise();
    const [a2, a3] = await receive(q.url, 10);
    expect(bodies([a2!, a3!])).toEqual(["a2", "a3"]);
    // a2 visible again while a3 is still in flight: the group stays held.
    await sqs.changeMessageVisibility({ QueueUrl: q.url, ReceiptHandle: a2!.ReceiptHandle!, VisibilityTimeout: 0 }).promise();
    expect(await receive(q.url, 10)).toEqual([]);
    await sqs.changeMessageVisibility({ QueueUrl: q.url, ReceiptHandle: a3!.ReceiptHandle!, VisibilityTimeout: 0 }).promise();
    expect(bodies(await receive(q.url, 10))).toEqual(["a2", "a3"]);
  });

  it("replays a receive retried with the same ReceiveRequestAttemptId", async () => {
    const q = await createFifo({ ContentBasedDeduplication: "true" });
    await sqs.sendMessage({ QueueUrl: q.url, MessageBody: "only", MessageGroupId: "A" }).promise();
    const first = await receive(q.url, 10, "retry-me");
    const again = await receive(q.url, 10, "retry-me");
    expect(bodies(first)).toEqual(["only"]);
    expect(again.map((m) => m.ReceiptHandle)).toEqual(first.map((m) => m.ReceiptHandle));
    expect(await receive(q.url, 10, "another")).toEqual([]);
  });

  it("moves a poison message (maxReceiveCount 2) to the FIFO DLQ while the rest of its group is handled in order", async () => {
    const dlq = await createFifo();
    const source = await createFifo({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: "2" }) });
    const wrongType = await v2ErrorOf(
      sqs.createQueue({ QueueName: `plain-${counter}`, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }) } }).promise(),
    );
    expect(wrongType).toMatchObject({ code: "InvalidParameterValue" });
    expect(wrongType.message).toMatch(/Dead-letter queue must be same type of queue as the source\.$/);
    for (const body of ["poison", "p1", "p2"]) {
      await sqs.sendMessage({ QueueUrl: source.url, MessageBody: body, MessageGroupId: "P", MessageDeduplicationId: body, MessageAttributes: { n: { DataType: "String", StringValue: body } } }).promise();
    }
    // A consumer taking one message per receive: it fails the poison (visible again at once), handles the rest.
    const handled: string[] = [];
    for (let i = 0; i < 10 && handled.length < 2; i++) {
      const [message] = await receive(source.url, 1);
      if (message === undefined) continue;
      if (message.Body === "poison") {
        await sqs.changeMessageVisibility({ QueueUrl: source.url, ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: 0 }).promise();
      } else {
        handled.push(message.Body ?? "");
        await sqs.deleteMessage({ QueueUrl: source.url, ReceiptHandle: message.ReceiptHandle! }).promise();
      }
    }
    expect(handled).toEqual(["p1", "p2"]);
    const dead = await sqs.receiveMessage({ QueueUrl: dlq.url, AttributeNames: ["All"], MessageAttributeNames: ["All"] }).promise();
    expect(dead.Messages).toHaveLength(1);
    expect(dead.Messages![0]).toMatchObject({
      Body: "poison",
      MessageAttributes: { n: { DataType: "String", StringValue: "poison" } },
      Attributes: { MessageGroupId: "P", ApproximateReceiveCount: "3", DeadLetterQueueSourceArn: source.arn },
    });
  });
});
