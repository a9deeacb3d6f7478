/**
 * `startFakeAws({ port })`: every fake on one port, routed as AWS's front ends route (SigV4 scope,
 * X-Amz-Target, Action; IMDS and the container endpoint by path), with a health endpoint, queue URLs on
 * the host the client used, and two accounts' queues kept apart through the fake's own AssumeRole.
 */
import { CreateQueueCommand, ListQueuesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromHttp, fromInstanceMetadata } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity } from "@smithy/types";
import AWS from "aws-sdk-v2-query";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeFakeWebIdentityToken } from "../../src/testing/core/jwt.js";
import { startFakeAws, type FakeAws } from "../../src/testing/fake-aws.js";
import { isolateAwsEnv } from "./support/isolated-aws-env.js";

let fake: FakeAws;
let keys: AwsCredentialIdentity;
let restoreEnv: () => void;

beforeAll(async () => {
  fake = await startFakeAws({ port: 0 });
  keys = fake.registerStaticKeys();
  // The SDK's IMDS client reads its endpoint from here: the fake's env, as a user would export it.
  restoreEnv = isolateAwsEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: fake.env.AWS_EC2_METADATA_SERVICE_ENDPOINT!, AWS_EC2_METADATA_DISABLED: "false" });
});
afterAll(async () => {
  restoreEnv();
  await fake.close();
});

const sqs = (credentials: AwsCredentialIdentity = keys, endpoint = fake.endpoint!) => new SQSClient({ region: fake.region, endpoint, credentials, maxAttempts: 1 });
const sts = (credentials: AwsCredentialIdentity = keys) => new STSClient({ region: fake.region, endpoint: fake.endpoint!, credentials, maxAttempts: 1 });

describe("one port for every fake", () => {
  it("every endpoint is the one port, and the env points every client there", () => {
    expect(fake.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const endpoint of [fake.sts.endpoint, fake.sqs.endpoint, fake.imds.endpoint]) expect(endpoint).toBe(fake.endpoint);
    expect(fake.container.credentialsUrl.startsWith(`${fake.endpoint}/v2/credentials/`)).toBe(true);
    expect(fake.env).toMatchObject({ AWS_ENDPOINT_URL: fake.endpoint, AWS_ENDPOINT_URL_STS: fake.endpoint, AWS_ENDPOINT_URL_SQS: fake.endpoint });
  });

  it("routes STS (signed and unsigned) and SQS (JSON and Query) on the same port", async () => {
    expect((await sts().send(new GetCallerIdentityCommand({}))).Account).toBe(fake.accountId);
    const irsa = await new STSClient({ region: fake.region, endpoint: fake.endpoint!, maxAttempts: 1, credentials: { accessKeyId: "x", secretAccessKey: "x" } }).send(
      new AssumeRoleWithWebIdentityCommand({ RoleArn: `arn:aws:iam::${fake.accountId}:role/web`, RoleSessionName: "web", WebIdentityToken: makeFakeWebIdentityToken() }),
    );
    expect(irsa.AssumedRoleUser?.Arn).toContain("assumed-role/web/web");
    const { QueueUrl } = await sqs().send(new CreateQueueCommand({ QueueName: "one-port" }));
    await sqs().send(new SendMessageCommand({ QueueUrl, MessageBody: "json" }));
    const v2 = new AWS.SQS({ region: fake.region, endpoint: fake.endpoint, credentials: new AWS.Credentials(keys.accessKeyId, keys.secretAccessKey), maxRetries: 0 });
    await v2.sendMessage({ QueueUrl: QueueUrl!, MessageBody: "query" }).promise();
    expect(fake.sqs.messages("one-port").map((m) => m.body)).toEqual(["json", "query"]);
    expect(fake.sts.count("GetCallerIdentity")).toBe(1);
    expect(fake.sqs.count("SendMessage")).toBe(2);
  });

  it("serves IMDS and the container endpoint by path, and a health endpoint", async () => {
    const imds = await fromInstanceMetadata({ maxRetries: 0, timeout: 2000 })();
    expect(imds.accessKeyId).toMatch(/^ASIA/);
    const container = await fromHttp({ awsContainerCredentialsFullUri: fake.container.credentialsUrl, awsContainerAuthorizationToken: fake.container.authorizationToken, maxRetries: 0 })();
    expect(container.accessKeyId).toMatch(/^ASIA/);
    for (const path of ["/_awscreds/health", "/_localstack/health"]) {
      const health = await fetch(`${fake.endpoint}${path}`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ services: { sts: "running", sqs: "running", imds: "running", container: "running" } });
    }
  });

  it("builds queue URLs on the host the client used", async () => {
    const viaLocalhost = fake.endpoint!.replace("127.0.0.1", "localhost");
    const { QueueUrl } = await sqs(keys, viaLocalhost).send(new CreateQueueCommand({ QueueName: "by-host" }));
    expect(QueueUrl).toBe(`${viaLocalhost}/${fake.accountId}/by-host`);
    expect((await sqs(keys, viaLocalhost).send(new ListQueuesCommand({ QueueNamePrefix: "by-host" }))).QueueUrls).toEqual([QueueUrl]);
  });

  it("two accounts through the fake's own AssumeRole: each sees and uses only its own queues", async () => {
    const assume = async (account: string) => {
      const { Credentials } = await sts().send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/tenant`, RoleSessionName: `t${account}` }));
      return { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };
    };
    const [a, b] = await Promise.all([assume("111111111111"), assume("222222222222")]);
    const urlA = (await sqs(a).send(new CreateQueueCommand({ QueueName: "tenant-jobs" }))).QueueUrl!;
    const urlB = (await sqs(b).send(new CreateQueueCommand({ QueueName: "tenant-jobs" }))).QueueUrl!;
    expect(urlA).not.toBe(urlB);
    await sqs(a).send(new SendMessageCommand({ QueueUrl: "tenant-jobs", MessageBody: "for a" }));
    expect((await sqs(a).send(new ListQueuesCommand({ QueueNamePrefix: "tenant-" }))).QueueUrls).toEqual([urlA]);
    expect((await sqs(b).send(new ReceiveMessageCommand({ QueueUrl: urlB, WaitTimeSeconds: 0 }))).Messages).toBeUndefined();
    await expect(sqs(b).send(new ReceiveMessageCommand({ QueueUrl: urlA }))).rejects.toMatchObject({ name: "AccessDenied" });
  });
});

describe("closing", () => {
  it("frees the port: a new server can listen on it at once", async () => {
    const other = await startFakeAws({ port: 0 });
    const port = Number(new URL(other.endpoint!).port);
    await other.close();
    const again = createServer();
    await new Promise<void>((resolve, reject) => again.once("error", reject).listen(port, "127.0.0.1", resolve));
    await new Promise<void>((resolve) => again.close(() => resolve()));
  });
});
