/**
 * The fake SQS's Query protocol front end, driven by aws-sdk v2 from before SQS spoke JSON (2.1400, a
 * Query client: form-encoded `Action=…`, XML answers) on the same queues the JSON side serves.
 */
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import AWSQuery from "aws-sdk-v2-query";
import AWSJson from "aws-sdk-v2-json";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KnownCredentials } from "../../src/testing/core/credential-store.js";
import { startFakeAws, type FakeAws } from "../../src/testing/fake-aws.js";
import { queryToJsonInput } from "../../src/testing/sqs/query-input.js";
import { xmlText } from "../../src/testing/sqs/query-output.js";

type V2Error = Error & { code?: string; statusCode?: number };

let fake: FakeAws;
let keys: KnownCredentials;
let counter = 0;

beforeAll(async () => {
  fake = await startFakeAws();
  keys = fake.registerStaticKeys();
});
afterAll(() => fake.close());

function v2Query(credentials = keys): AWSQuery.SQS {
  return new AWSQuery.SQS({
    region: fake.region,
    endpoint: fake.sqs.endpoint,
    credentials: new AWSQuery.Credentials(credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken),
    maxRetries: 0,
  });
}

async function v2ErrorOf(promise: Promise<unknown>): Promise<V2Error> {
  try {
    await promise;
  } catch (error) {
    return error as V2Error;
  }
  throw new Error("expected the call to fail");
}

const newQueueName = (): string => `query-${++counter}`;

describe("SQS Query protocol (aws-sdk v2.1400)", () => {
  it("the client really speaks Query: form-encoded requests, answered in XML, logged as such", async () => {
    const name = newQueueName();
    await v2Query().createQueue({ QueueName: name }).promise();
    const call = fake.sqs.calls.at(-1)!;
    expect(call).toMatchObject({ action: "CreateQueue", status: 200, details: { queueName: name, protocol: "query" } });
  });

  it("create, attributes, send (with attributes and awkward characters), batch, long poll, visibility, delete, purge", async () => {
    const sqs = v2Query();
    const { QueueUrl } = await sqs.createQueue({ QueueName: newQueueName(), Attributes: { VisibilityTimeout: "7", DelaySeconds: "0" } }).promise();
    const queueUrl = QueueUrl!;
    expect(queueUrl).toBe(fake.sqs.queueUrl(queueUrl.split("/").pop()!));

    const attributes = await sqs.getQueueAttributes({ QueueUrl: queueUrl, AttributeNames: ["VisibilityTimeout", "QueueArn"] }).promise();
    expect(attributes.Attributes).toEqual({ VisibilityTimeout: "7", QueueArn: expect.stringMatching(/^arn:aws:sqs:us-east-1:123456789012:query-/) });
    await sqs.setQueueAttributes({ QueueUrl: queueUrl, Attributes: { VisibilityTimeout: "9" } }).promise();
    expect((await sqs.getQueueAttributes({ QueueUrl: queueUrl, AttributeNames: ["All"] }).promise()).Attributes?.VisibilityTimeout).toBe("9");

    // A carriage return survives XML only if escaped; aws-sdk v2 checks the MD5 of every body it receives.
    const body = "line one\r\nline two & <three> \"four\"";
    const sent = await sqs
      .sendMessage({
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageAttributes: {
          trace: { DataType: "String", StringValue: "abc" },
          blob: { DataType: "Binary", BinaryValue: Buffer.from([0, 1, 2, 255]) },
          count: { DataType: "Number", StringValue: "42" },
        },
      })
      .promise();
    expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(fake.sqs.messages(queueUrl.split("/").pop()!)[0]!.messageAttributes).toEqual({
      trace: { DataType: "String", StringValue: "abc" },
      blob: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 2, 255]) },
      count: { DataType: "Number", StringValue: "42" },
    });

    const batch = await sqs
      .sendMessageBatch({
        QueueUrl: queueUrl,
        Entries: [
          { Id: "ok", MessageBody: "second", MessageAttributes: { n: { DataType: "String", StringValue: "v" } } },
          { Id: "late", MessageBody: "too late", DelaySeconds: 901 },
        ],
      })
      .promise();
    expect(batch.Successful.map((e) => e.Id)).toEqual(["ok"]);
    expect(batch.Failed).toEqual([{ Id: "late", SenderFault: true, Code: "InvalidParameterValue", Message: expect.stringContaining("DelaySeconds") }]);

    const received = await sqs
      .receiveMessage({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, AttributeNames: ["All"], MessageAttributeNames: ["All"], WaitTimeSeconds: 1 })
      .promise();
    expect(received.Messages?.map((m) => m.Body)).toEqual([body, "second"]);
    const first = received.Messages![0]!;
    expect(first.MessageAttributes?.trace?.StringValue).toBe("abc");
    expect(Buffer.from(first.MessageAttributes!.blob!.BinaryValue as Buffer)).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(first.Attributes).toMatchObject({ ApproximateReceiveCount: "1", SenderId: expect.stringMatching(/^AIDA/) });

    await sqs.changeMessageVisibility({ QueueUrl: queueUrl, ReceiptHandle: first.ReceiptHandle!, VisibilityTimeout: 0 }).promise();
    const again = await sqs.receiveMessage({ QueueUrl: queueUrl, AttributeNames: ["ApproximateReceiveCount"] }).promise();
    expect(again.Messages?.[0]).toMatchObject({ Body: body, Attributes: { ApproximateReceiveCount: "2" } });

    const changed = await sqs
      .changeMessageVisibilityBatch({ QueueUrl: queueUrl, Entries: [{ Id: "a", ReceiptHandle: again.Messages![0]!.ReceiptHandle!, VisibilityTimeout: 30 }] })
      .promise();
    expect(changed.Successful).toEqual([{ Id: "a" }]);
    await sqs.deleteMessage({ QueueUrl: queueUrl, ReceiptHandle: again.Messages![0]!.ReceiptHandle! }).promise();
    const deleted = await sqs.deleteMessageBatch({ QueueUrl: queueUrl, Entries: [{ Id: "b", ReceiptHandle: received.Messages![1]!.ReceiptHandle! }] }).promise();
    expect(deleted).toMatchObject({ Successful: [{ Id: "b" }], Failed: [] });
    expect(fake.sqs.messageCount(queueUrl.split("/").pop()!)).toBe(0);

    await sqs.sendMessage({ QueueUrl: queueUrl, MessageBody: "to purge" }).promise();
    await sqs.purgeQueue({ QueueUrl: queueUrl }).promise();
    expect(fake.sqs.messageCount(queueUrl.split("/").pop()!)).toBe(0);
    const again2 = await v2ErrorOf(sqs.purgeQueue({ QueueUrl: queueUrl }).promise());
    expect(again2).toMatchObject({ code: "AWS.SimpleQueueService.PurgeQueueInProgress", statusCode: 403 });

    const listed = await sqs.listQueues({ QueueNamePrefix: "query-" }).promise();
    expect(listed.QueueUrls).toContain(queueUrl);
    await sqs.deleteQueue({ QueueUrl: queueUrl }).promise();
    expect(fake.sqs.queueNames()).not.toContain(queueUrl.split("/").pop());
  });

  it("a Query long poll is woken by a message the JSON SDK v3 sends: one queue engine for both protocols", async () => {
    const name = newQueueName();
    const queueUrl = fake.sqs.createQueue(name);
    const polling = v2Query().receiveMessage({ QueueUrl: queueUrl, WaitTimeSeconds: 10 }).promise();
    await expect.poll(() => fake.sqs.calls.some((c) => c.action === "ReceiveMessage" && c.details.queueUrl === queueUrl)).toBe(true);
    const v3 = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials: keys });
    try {
      await v3.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "from JSON" }));
    } finally {
      v3.destroy();
    }
    const started = Date.now();
    const { Messages } = await polling;
    expect(Messages?.map((m) => m.Body)).toEqual(["from JSON"]);
    expect(Date.now() - started).toBeLessThan(9_000);
  });

  it("errors arrive as Query errors: SQS's legacy codes, statuses and the fake's explanation", async () => {
    const sqs = v2Query();
    const missing = await v2ErrorOf(sqs.getQueueUrl({ QueueName: "no-such-queue" }).promise());
    expect(missing).toMatchObject({ code: "AWS.SimpleQueueService.NonExistentQueue", statusCode: 400, message: "The specified queue does not exist." });

    const unsupported = await v2ErrorOf(sqs.listMessageMoveTasks({ SourceArn: `arn:aws:sqs:${fake.region}:${fake.accountId}:${newQueueName()}` }).promise());
    expect(unsupported).toMatchObject({ code: "AWS.SimpleQueueService.UnsupportedOperation", message: "The fake SQS does not implement ListMessageMoveTasks." });

    const badRange = await v2ErrorOf(sqs.receiveMessage({ QueueUrl: fake.sqs.createQueue(newQueueName()), WaitTimeSeconds: 21 }).promise());
    expect(badRange).toMatchObject({ code: "InvalidParameterValue", statusCode: 400, message: expect.stringContaining("WaitTimeSeconds") });

    const wrongSecret = await v2ErrorOf(v2Query({ ...keys, secretAccessKey: "not-the-secret" }).listQueues({}).promise());
    expect(wrongSecret).toMatchObject({ code: "SignatureDoesNotMatch", statusCode: 403 });

    const expiring = fake.registerStaticKeys();
    fake.expireCredentials(expiring.accessKeyId);
    const expired = await v2ErrorOf(v2Query(expiring).listQueues({}).promise());
    expect(expired).toMatchObject({ code: "ExpiredToken", statusCode: 403, message: "The security token included in the request is expired" });
  });

  it("the raw wire: ErrorResponse with Sender/Receiver, InvalidAction for an action SQS lacks, the namespace on answers", async () => {
    // Unsigned on purpose: the error document's shape is the point, and it must still be Query-shaped.
    const unsigned = await fetch(fake.sqs.endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=ListQueues&Version=2012-11-05",
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toMatch(
      /^<\?xml version="1\.0"\?><ErrorResponse xmlns="https:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/"><Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code>/,
    );
    fake.sqs.faults.failNext(1, { status: 500, code: "InternalFailure", message: "boom" });
    const server = await v2ErrorOf(v2Query().listQueues({}).promise());
    expect(server).toMatchObject({ code: "InternalFailure", statusCode: 500, message: "boom" });
    expect(fake.sqs.calls.at(-1)).toMatchObject({ action: "ListQueues", fault: "error" });
  });

  it("an unknown Query action is InvalidAction (not the JSON side's UnknownOperationException)", async () => {
    const sqs = v2Query();
    // The v2 client only sends modeled actions: re-aim one at an action SQS does not have.
    const request = sqs.listQueues({});
    request.on("build", (r) => {
      r.httpRequest.body = "Action=MakeCoffee&Version=2012-11-05";
    });
    const error = await v2ErrorOf(request.promise());
    expect(error).toMatchObject({ code: "InvalidAction", statusCode: 400, message: "The action MakeCoffee is not valid for this endpoint." });
  });
});

describe("SQS JSON protocol from aws-sdk v2 (2.1693)", () => {
  it("the JSON-era v2 client works too, and gets the fake's explanation with its errors", async () => {
    const sqs = new AWSJson.SQS({
      region: fake.region,
      endpoint: fake.sqs.endpoint,
      credentials: new AWSJson.Credentials(keys.accessKeyId, keys.secretAccessKey),
      maxRetries: 0,
    });
    const queueUrl = fake.sqs.createQueue(newQueueName());
    await sqs.sendMessage({ QueueUrl: queueUrl, MessageBody: "json v2" }).promise();
    expect(fake.sqs.calls.at(-1)?.details.protocol).toBeUndefined();
    const { Messages } = await sqs.receiveMessage({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }).promise();
    expect(Messages?.[0]?.Body).toBe("json v2");
    const unsupported = await v2ErrorOf(sqs.listMessageMoveTasks({ SourceArn: `arn:aws:sqs:${fake.region}:${fake.accountId}:x` }).promise());
    expect(unsupported).toMatchObject({ code: "AWS.SimpleQueueService.UnsupportedOperation", message: "The fake SQS does not implement ListMessageMoveTasks." });
  });
});

describe("Query parameters → JSON input (generic, so new members flow through)", () => {
  it("escapes a carriage return in XML text (expat-based clients would turn a literal one into LF and fail the MD5)", () => {
    expect(xmlText("a\r\nb & <c>")).toBe("a&#xD;\nb &amp; &lt;c&gt;");
  });

  it("maps flattened lists, maps, batch entries and nested values; integers become numbers; unknown members pass as strings", () => {
    const input = queryToJsonInput(
      "SendMessageBatch",
      new URLSearchParams(
        [
          "Action=SendMessageBatch",
          "Version=2012-11-05",
          "QueueUrl=http://q",
          "SendMessageBatchRequestEntry.2.Id=b",
          "SendMessageBatchRequestEntry.2.MessageBody=two",
          "SendMessageBatchRequestEntry.1.Id=a",
          "SendMessageBatchRequestEntry.1.MessageBody=one",
          "SendMessageBatchRequestEntry.1.DelaySeconds=5",
          "SendMessageBatchRequestEntry.1.MessageGroupId=group-1",
          "SendMessageBatchRequestEntry.1.MessageDeduplicationId=dedup-1",
          "SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=list",
          "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String",
          "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringListValue.1=x",
          "SendMessageBatchRequestEntry.1.MessageSystemAttribute.1.Name=AWSTraceHeader",
          "SendMessageBatchRequestEntry.1.MessageSystemAttribute.1.Value.DataType=String",
          "SendMessageBatchRequestEntry.1.MessageSystemAttribute.1.Value.StringValue=Root=1",
          "X-Amz-Signature=ignored",
        ].join("&"),
      ),
    );
    expect(input).toEqual({
      QueueUrl: "http://q",
      Entries: [
        {
          Id: "a",
          MessageBody: "one",
          DelaySeconds: 5,
          MessageGroupId: "group-1",
          MessageDeduplicationId: "dedup-1",
          MessageAttributes: { list: { DataType: "String", StringListValues: ["x"] } },
          MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: "Root=1" } },
        },
        { Id: "b", MessageBody: "two" },
      ],
    });
    expect(
      queryToJsonInput("ReceiveMessage", new URLSearchParams("AttributeName.1=All&MessageAttributeName.1=a&MessageAttributeName.2=b&WaitTimeSeconds=20")),
    ).toEqual({ AttributeNames: ["All"], MessageAttributeNames: ["a", "b"], WaitTimeSeconds: 20 });
    expect(queryToJsonInput("CreateQueue", new URLSearchParams("QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=3&Tag.1.Key=k&Tag.1.Value=v"))).toEqual({
      QueueName: "q",
      Attributes: { DelaySeconds: "3" },
      tags: { k: "v" },
    });
    expect(() => queryToJsonInput("ReceiveMessage", new URLSearchParams("WaitTimeSeconds=soon"))).toThrow(/WaitTimeSeconds is invalid/);
  });
});
