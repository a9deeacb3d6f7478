/**
 * (5) A process that creates a refresher and never stops it exits by itself: its timers are unref'd.
 * The child is a real Node process running a bundle of fixtures/never-stopped.ts (esbuild, which tsup
 * already brings) against the fake STS started here.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { bundleFixture, runNode, type BundledFixture } from "../support/child-node.js";
import { isolateAwsEnv } from "./e2e-helpers.js";
import { trackUnhandledRejections } from "./helpers.js";

const unhandled = trackUnhandledRejections();
let restoreEnv: () => void;
let fake: FakeAws;
let fixture: BundledFixture;

beforeAll(async () => {
  restoreEnv = isolateAwsEnv();
  fake = await startFakeAws({ sts: { credentialLifetimeSeconds: 4 } });
  fixture = await bundleFixture(new URL("./fixtures/never-stopped.ts", import.meta.url));
});

afterAll(async () => {
  await fake?.close();
  await fixture?.dispose();
  restoreEnv?.();
  unhandled.dispose();
  expect(unhandled.reasons).toEqual([]);
});

it.each([
  ["the SDK's fromTokenFile", "sdk"],
  ["awscreds' fromEnvGatedChain (its own keep-alive STS client)", "awscreds"],
])("(5) a script that creates a refresher over %s and never stops it exits by itself, with code 0", async (_label, kind) => {
  const tokenFile = await fake.writeWebIdentityToken();
  const callsBefore = fake.sts.count("AssumeRoleWithWebIdentity");
  // Only the variables a Node process needs; nothing AWS_* from the parent, no real config files.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    AWS_CONFIG_FILE: "/nonexistent/awscreds-test/config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/awscreds-test/credentials",
    AWS_EC2_METADATA_DISABLED: "true",
  };
  const args = [fixture.script, fake.sts.endpoint, fake.region, tokenFile, `arn:aws:iam::${fake.accountId}:role/never-stopped`, kind];
  const started = Date.now();
  // Generous: the refresher's own period is 2 s and the credentials live 4 s; a kept-alive process
  // would still be running long after this.
  const { stdout, stderr, ...exit } = await runNode(args, env, 20_000);
  expect({ ...exit, stderr: stderr.replace(/\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*$/, "").trim() }).toEqual({ code: 0, signal: null, stderr: "" });
  expect(JSON.parse(stdout.trim())).toEqual({ arn: `arn:aws:sts::${fake.accountId}:assumed-role/never-stopped/never-stopped`, state: "ready" });
  expect(fake.sts.count("AssumeRoleWithWebIdentity") - callsBefore).toBe(1);
  expect(Date.now() - started).toBeLessThan(20_000);
}, 40_000);
