import { execFile } from "node:child_process";
import { access, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { inspect, promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { CreateQueueCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { fromContainerMetadata, fromHttp, fromInstanceMetadata, fromTokenFile } from "@aws-sdk/credential-providers";
import { makeFakeWebIdentityToken, startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { isolateAwsEnv } from "./support/isolated-aws-env.js";

const here = dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);
const ROLE_ARN = "arn:aws:iam::123456789012:role/irsa-app";

let fake: FakeAws;
let restoreEnv: () => void;
const destroyables: { destroy(): void }[] = [];

beforeAll(async () => {
  fake = await startFakeAws({ sts: { credentialLifetimeSeconds: 900 } });
});

afterEach(() => {
  restoreEnv?.();
  for (const d of destroyables.splice(0)) d.destroy();
});

afterAll(async () => {
  await fake.close();
});

describe("startFakeAws", () => {
  it("starts four fakes on loopback and hands out the variables that point the SDK at them", () => {
    const endpoints = [fake.sts.endpoint, fake.sqs.endpoint, fake.imds.endpoint, fake.container.endpoint];
    for (const endpoint of endpoints) expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new Set(endpoints).size).toBe(4);
    expect(fake).toMatchObject({ region: "us-east-1", accountId: "123456789012" });
    expect(fake.env).toEqual({
      AWS_REGION: "us-east-1",
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_ENDPOINT_URL_STS: fake.sts.endpoint,
      AWS_ENDPOINT_URL_SQS: fake.sqs.endpoint,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: `${fake.imds.endpoint}/`,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: fake.container.credentialsUrl,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: fake.container.authorizationToken,
    });
    expect(Object.isFrozen(fake.env)).toBe(true);
  });

  it("fake.env alone is enough for an STS client and for fromTokenFile (IRSA)", async () => {
    const tokenFile = await fake.writeWebIdentityToken({ claims: { sub: "system:serviceaccount:shop:web" } });
    restoreEnv = isolateAwsEnv({ ...fake.env, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: ROLE_ARN, AWS_ROLE_SESSION_NAME: "irsa-web" });
    fake.sts.clearCalls();

    const sts = new STSClient({});
    destroyables.push(sts);
    const out = await sts.send(
      new AssumeRoleWithWebIdentityCommand({ RoleArn: ROLE_ARN, RoleSessionName: "direct", WebIdentityToken: await readFile(tokenFile, "utf8") }),
    );
    expect(out.SubjectFromWebIdentityToken).toBe("system:serviceaccount:shop:web");

    const credentials = await fromTokenFile()();
    expect(credentials.accountId).toBe("123456789012");
    expect(fake.sts.calls.map((c) => [c.action, c.host, c.details.roleSessionName])).toEqual([
      ["AssumeRoleWithWebIdentity", new URL(fake.sts.endpoint).host, "direct"],
      ["AssumeRoleWithWebIdentity", new URL(fake.sts.endpoint).host, "irsa-web"],
    ]);

    // Rotating the token file (as the kubelet does) changes what the next fetch sends.
    const before = fake.sts.calls[1]!.details.webIdentityToken;
    expect(await fake.writeWebIdentityToken({ path: tokenFile, claims: { sub: "rotated" } })).toBe(tokenFile);
    await fromTokenFile()();
    expect(fake.sts.calls[2]!.details.webIdentityToken).not.toBe(before);
    expect(fake.sts.calls[2]!.details.webIdentityToken).toBe(await readFile(tokenFile, "utf8"));
  });

  it("credentials from the fake STS sign SQS calls the fake SQS accepts, until they are expired", async () => {
    const provider = fromTokenFile({
      webIdentityTokenFile: await fake.writeWebIdentityToken(),
      roleArn: ROLE_ARN,
      roleSessionName: "sqs-user",
      clientConfig: { region: fake.region, endpoint: fake.sts.endpoint },
    });
    const credentials = await provider();
    const sqs = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials });
    destroyables.push(sqs);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "from-sts" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "hello" }));
    expect(fake.sqs.messageCount("from-sts")).toBe(1);
    expect(fake.sqs.calls.at(-1)?.accessKeyId).toBe(credentials.accessKeyId);

    fake.expireCredentials(credentials.accessKeyId);
    const sts = new STSClient({ region: fake.region, endpoint: fake.sts.endpoint, credentials });
    destroyables.push(sts);
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: "ExpiredToken" });
  });

  it("fake.env points fromInstanceMetadata, fromContainerMetadata and fromHttp at the fakes", async () => {
    restoreEnv = isolateAwsEnv({ ...fake.env });
    const instance = await fromInstanceMetadata()();
    const container = await fromContainerMetadata()();
    const http = await fromHttp()();
    expect(instance.accessKeyId).toMatch(/^ASIA/);
    expect(container.accessKeyId).toMatch(/^ASIA/);
    expect(http.accessKeyId).toBe(container.accessKeyId);
    expect(fake.imds.count("PUT /latest/api/token")).toBeGreaterThanOrEqual(1);
    expect(fake.container.count()).toBeGreaterThanOrEqual(2);
    // All of them are known to the SigV4-verifying fakes.
    const sts = new STSClient({ region: fake.region, endpoint: fake.sts.endpoint, credentials: instance });
    destroyables.push(sts);
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(
      `arn:aws:sts::123456789012:assumed-role/fake-instance-role/${fake.imds.instanceId}`,
    );
  });

  it("logging the handle never prints the container authorization token, though fake.env still hands it out", () => {
    const token = fake.container.authorizationToken;
    for (const shown of [inspect(fake, { depth: 5 }), inspect(fake.env), inspect(fake.container), `${fake.container}`]) {
      expect(shown).not.toContain(token);
    }
    expect(inspect(fake.env)).toContain("AWS_CONTAINER_AUTHORIZATION_TOKEN: '<redacted>'");
    // Still a plain variable set for providers and child processes.
    expect({ ...fake.env }.AWS_CONTAINER_AUTHORIZATION_TOKEN).toBe(token);
    expect(JSON.parse(JSON.stringify(fake.env))).toEqual({ ...fake.env });
    expect(Object.keys(fake.env)).toHaveLength(7);
  });

  it("registerStaticKeys returns long-lived keys the fakes accept", async () => {
    const keys = fake.registerStaticKeys({ arn: "arn:aws:iam::123456789012:user/ci" });
    // AWS's format: AKIA + 16 base32 characters, and a 40-character secret from the base64 alphabet.
    expect(keys.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(keys.secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    const sts = new STSClient({ region: fake.region, endpoint: fake.sts.endpoint, credentials: keys });
    destroyables.push(sts);
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe("arn:aws:iam::123456789012:user/ci");
  });
});

describe("close()", () => {
  it("releases hanging calls at once, refuses new ones, removes token files and is idempotent", async () => {
    const own = await startFakeAws();
    const tokenFile = await own.writeWebIdentityToken();
    own.sts.faults.hangNext(1);
    const sts = new STSClient({ region: own.region, endpoint: own.sts.endpoint, maxAttempts: 1 });
    destroyables.push(sts);
    const hanging = sts
      .send(new AssumeRoleWithWebIdentityCommand({ RoleArn: ROLE_ARN, RoleSessionName: "hang", WebIdentityToken: makeFakeWebIdentityToken() }))
      .then(
        () => "resolved",
        (error: Error) => error.name,
      );
    while (own.sts.count() < 1) await new Promise((r) => setTimeout(r, 10));

    await Promise.all([own.close(), own.close()]);
    expect(await hanging).not.toBe("resolved");
    await expect(access(tokenFile)).rejects.toMatchObject({ code: "ENOENT" });
    await expect(fetch(own.sts.endpoint)).rejects.toThrow();
    await own[Symbol.asyncDispose](); // same promise, still fine
  });

  it("leaves nothing behind: a process with calls hanging on every fake exits on its own after close()", async () => {
    const script = join(here, "fixtures", "close-with-hanging-calls.ts");
    // A generous bound: the child has 60 s to exit by itself; without close() releasing everything it would
    // wait for the 20 s long poll and the 60 s metadata timeouts (or forever, for the STS hang).
    const { stdout } = await run(process.execPath, ["--import", "tsx", script], {
      cwd: join(here, "..", ".."),
      timeout: 60_000,
      env: { ...process.env, NODE_NO_WARNINGS: "1" },
    });
    const report = JSON.parse(stdout.trim().split("\n").at(-1)!) as { closeMs: number; outcomes: Record<string, string> };
    expect(report.closeMs).toBeLessThan(10_000);
    expect(Object.keys(report.outcomes).sort()).toEqual(["container", "imds", "sqs", "sts"]);
    for (const outcome of Object.values(report.outcomes)) expect(outcome).toMatch(/^rejected: /);
  }, 90_000);
});
