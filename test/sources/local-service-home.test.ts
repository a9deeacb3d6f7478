/**
 * What keeps a whole local service — awscreds *and* the user's own SDK clients — away from `~/.aws`, as the
 * README documents it. awscreds' local mode never reads the shared files, but an SDK client looks up its
 * non-credential settings (retry mode, max attempts, FIPS, dual-stack, app id, auth scheme preference,
 * clock skew correction, defaults mode, and region when not given) in `~/.aws/config` and
 * `~/.aws/credentials`. Pointing AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE at /dev/null is what keeps
 * the whole process out of HOME; `disableClockSkewCorrection: false` (earlier advice) does not.
 * The file watch sits below `fs`, so it sees the SDK's reads, whichever API it uses.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { SendMessageCommand, SQSClient, type SQSClientConfig } from "@aws-sdk/client-sqs";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { fromEnvGatedChain } from "../../src/sources/chain.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { isolateEnv } from "./support/env.js";
import { watchFs } from "./support/fs-watch.js";

let fake: FakeAws;
let restoreEnv: () => void;
let home: string;

beforeAll(async () => {
  fake = await startFakeAws();
});
afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  const keys = fake.registerStaticKeys();
  restoreEnv = isolateEnv({ APP_ENV: "local", AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey, AWS_PROFILE: "prod" });
  // isolateEnv made HOME a fresh directory per test (so no SDK cache of a previous test's files applies).
  home = process.env.HOME!;
  mkdirSync(join(home, ".aws"));
  writeFileSync(join(home, ".aws", "config"), "[profile prod]\nregion = eu-west-1\nmax_attempts = 7\n");
  writeFileSync(join(home, ".aws", "credentials"), "[prod]\naws_access_key_id = AKIAPOISONEDPROFILE0\naws_secret_access_key = poisoned\n");
});
afterEach(() => restoreEnv());

/** A small local service: the gated chain, an SQS and an STS client, one call each. */
async function runLocalService(sqsConfig: Partial<SQSClientConfig> = {}): Promise<string[]> {
  const watch = watchFs([home]);
  try {
    const credentials = fromEnvGatedChain();
    const sqs = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials, ...sqsConfig });
    const sts = new STSClient({ region: fake.region, endpoint: fake.sts.endpoint, credentials });
    const queueUrl = fake.sqs.createQueue(`local-${Math.random().toString(36).slice(2)}`);
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "hello" }));
    await sts.send(new GetCallerIdentityCommand({}));
    sqs.destroy();
    sts.destroy();
  } finally {
    watch.stop();
  }
  // Both calls were signed with the environment keys, never the profile's.
  expect(fake.sqs.calls.at(-1)?.accessKeyId).toBe(process.env.AWS_ACCESS_KEY_ID);
  expect(fake.sts.calls.at(-1)?.accessKeyId).toBe(process.env.AWS_ACCESS_KEY_ID);
  return [...watch.accesses];
}

it("AWS_CONFIG_FILE=/dev/null and AWS_SHARED_CREDENTIALS_FILE=/dev/null: nothing under HOME is touched, by awscreds or the SDK clients", async () => {
  process.env.AWS_CONFIG_FILE = "/dev/null";
  process.env.AWS_SHARED_CREDENTIALS_FILE = "/dev/null";
  expect(await runLocalService()).toEqual([]);
});

it("without them the SDK clients themselves open ~/.aws/config and ~/.aws/credentials, even with disableClockSkewCorrection: false", async () => {
  const accesses = await runLocalService({ disableClockSkewCorrection: false });
  expect(accesses).toContain(`openFileHandle ${join(home, ".aws", "config")}`);
  expect(accesses).toContain(`openFileHandle ${join(home, ".aws", "credentials")}`);
});
