/**
 * `awscreds fake` started as a child process (the built CLI, as `npx awscreds fake` runs it), on one port,
 * with every client we did not write: boto3 / botocore (Query SQS), the AWS CLI, aws-sdk v2 (both SQS
 * protocols), curl; and two accounts' SQS kept apart through the fake's own AssumeRole.
 */
import AWSQuery from "aws-sdk-v2-query";
import AWSJson from "aws-sdk-v2-json";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeFakeWebIdentityToken } from "../../src/testing/core/jwt.js";
import { buildCli, type BuiltCli } from "../cli/support/cli.js";
import { startFakeServerProcess, type FakeServerProcess } from "../testing/support/fake-server-process.js";
import { awsCli, boto3, clientEnv, CURL, run } from "./support/clients.js";

const REGION = "us-east-1";
const ACCOUNT = "123456789012";
const TEST_KEYS = { accessKeyId: "test", secretAccessKey: "test" };
type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const keyVars = (k: Keys) => ({ AWS_ACCESS_KEY_ID: k.accessKeyId, AWS_SECRET_ACCESS_KEY: k.secretAccessKey, AWS_SESSION_TOKEN: k.sessionToken });

let cli: BuiltCli;
let server: FakeServerProcess;
let endpoint: string;

beforeAll(async () => {
  cli = await buildCli();
  server = await startFakeServerProcess(cli.path);
  endpoint = server.endpoint;
}, 60_000);
afterAll(async () => {
  const exit = await server?.stop();
  cli?.cleanup();
  expect(exit).toEqual({ code: 0, signal: null });
});

const boto = (service: "sts" | "sqs", operation: string, params: Record<string, unknown> = {}, k: Keys | null = TEST_KEYS) =>
  boto3({ service, operation, params, endpoint, region: REGION }, k === null ? {} : keyVars(k));

/** Credentials of a role in `account`, from the server's own AssumeRole (boto3). */
async function assumeInto(account: string): Promise<Keys> {
  const out = await boto("sts", "assume_role", { RoleArn: `arn:aws:iam::${account}:role/tenant`, RoleSessionName: `tenant-${account}` });
  const c = (out.ok as { Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string } }).Credentials;
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

describe("boto3 × the one-port server", () => {
  it("STS (signed and unsigned) and SQS over the Query protocol on one port", async () => {
    expect((await boto("sts", "get_caller_identity")).ok).toMatchObject({ Account: ACCOUNT });
    const irsa = await boto("sts", "assume_role_with_web_identity", { RoleArn: `arn:aws:iam::${ACCOUNT}:role/web`, RoleSessionName: "irsa", WebIdentityToken: makeFakeWebIdentityToken() }, null);
    expect(irsa.ok).toMatchObject({ AssumedRoleUser: { Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/web/irsa` } });
    const url = (await boto("sqs", "create_queue", { QueueName: "boto-one-port" })).ok!.QueueUrl as string;
    expect(url).toBe(`${endpoint}/${ACCOUNT}/boto-one-port`);
    await boto("sqs", "send_message", { QueueUrl: url, MessageBody: "hello" });
    const got = await boto("sqs", "receive_message", { QueueUrl: url, WaitTimeSeconds: 1 });
    expect((got.ok as { Messages: { Body: string }[] }).Messages[0]!.Body).toBe("hello");
  });

  it("two accounts through the server's AssumeRole: each lists and uses only its own queues", async () => {
    const [a, b] = await Promise.all([assumeInto("111111111111"), assumeInto("222222222222")]);
    const urlA = (await boto("sqs", "create_queue", { QueueName: "tenant-jobs" }, a)).ok!.QueueUrl as string;
    const urlB = (await boto("sqs", "create_queue", { QueueName: "tenant-jobs" }, b)).ok!.QueueUrl as string;
    expect([urlA, urlB]).toEqual([`${endpoint}/111111111111/tenant-jobs`, `${endpoint}/222222222222/tenant-jobs`]);
    await boto("sqs", "send_message", { QueueUrl: "tenant-jobs", MessageBody: "for a" }, a);
    expect((await boto("sqs", "list_queues", { QueueNamePrefix: "tenant-" }, b)).ok).toEqual({ QueueUrls: [urlB] });
    expect((await boto("sqs", "receive_message", { QueueUrl: urlB, WaitTimeSeconds: 0 }, b)).ok).toEqual({});
    expect((await boto("sqs", "receive_message", { QueueUrl: urlA }, b)).error).toMatchObject({ code: "AccessDenied", status: 403 });
    const fromA = await boto("sqs", "receive_message", { QueueUrl: urlA, WaitTimeSeconds: 1 }, a);
    expect((fromA.ok as { Messages: { Body: string }[] }).Messages[0]!.Body).toBe("for a");
  });
});

describe("the AWS CLI × the one-port server", () => {
  it("sts get-caller-identity, sqs create-queue / send-message / receive-message", async () => {
    const cliRun = (args: string[]) => awsCli([...args, "--endpoint-url", endpoint, "--region", REGION], keyVars(TEST_KEYS));
    expect((await cliRun(["sts", "get-caller-identity"])).json).toMatchObject({ Account: ACCOUNT });
    const url = (await cliRun(["sqs", "create-queue", "--queue-name", "cli-one-port"])).json!.QueueUrl as string;
    await cliRun(["sqs", "send-message", "--queue-url", url, "--message-body", "from the cli"]);
    const got = await cliRun(["sqs", "receive-message", "--queue-url", url, "--wait-time-seconds", "1"]);
    expect((got.json as { Messages: { Body: string }[] }).Messages[0]!.Body).toBe("from the cli");
  });
});

describe("aws-sdk v2 × the one-port server", () => {
  for (const [name, AWS] of [
    ["2.1400 (SQS Query)", AWSQuery],
    ["2.1693 (SQS JSON)", AWSJson as unknown as typeof AWSQuery],
  ] as const) {
    it(`${name}: STS and SQS`, async () => {
      const credentials = new AWS.Credentials(TEST_KEYS.accessKeyId, TEST_KEYS.secretAccessKey);
      const who = await new AWS.STS({ region: REGION, endpoint, credentials, maxRetries: 0 }).getCallerIdentity({}).promise();
      expect(who.Account).toBe(ACCOUNT);
      const sqs = new AWS.SQS({ region: REGION, endpoint, credentials, maxRetries: 0 });
      const { QueueUrl } = await sqs.createQueue({ QueueName: `v2-${name.slice(0, 6).replace(/\W/g, "")}` }).promise();
      await sqs.sendMessage({ QueueUrl: QueueUrl!, MessageBody: name }).promise();
      const { Messages } = await sqs.receiveMessage({ QueueUrl: QueueUrl!, WaitTimeSeconds: 1 }).promise();
      expect(Messages?.[0]?.Body).toBe(name);
    });
  }
});

describe("curl × the one-port server", () => {
  const signed = (service: "sts" | "sqs", args: string[]) =>
    run(CURL, ["-sS", "--aws-sigv4", `aws:amz:${REGION}:${service}`, "--user", "test:test", ...args, `${endpoint}/`], clientEnv());

  it("STS by form, SQS by X-Amz-Target, IMDS by path, and the health endpoint", async () => {
    expect((await signed("sts", ["-d", "Action=GetCallerIdentity&Version=2011-06-15"])).stdout).toContain(`<Account>${ACCOUNT}</Account>`);
    const created = await signed("sqs", ["-H", "x-amz-target: AmazonSQS.CreateQueue", "-H", "content-type: application/x-amz-json-1.0", "-d", '{"QueueName":"curl-one-port"}']);
    expect(JSON.parse(created.stdout)).toEqual({ QueueUrl: `${endpoint}/${ACCOUNT}/curl-one-port` });
    const token = (await run(CURL, ["-sS", "-X", "PUT", "-H", "x-aws-ec2-metadata-token-ttl-seconds: 60", `${endpoint}/latest/api/token`], clientEnv())).stdout;
    const role = await run(CURL, ["-sS", "-H", `x-aws-ec2-metadata-token: ${token}`, `${endpoint}/latest/meta-data/iam/security-credentials/`], clientEnv());
    expect(role.stdout.trim()).not.toBe("");
    const health = await run(CURL, ["-sS", "-f", `${endpoint}/_localstack/health`], clientEnv());
    expect(JSON.parse(health.stdout)).toMatchObject({ services: { sts: "running", sqs: "running" } });
  });
});
