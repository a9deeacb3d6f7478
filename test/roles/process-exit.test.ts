/**
 * Callers waiting on the role cache's rate budget keep the process alive until they have credentials (an
 * unref'd wait let a script die mid-call); once nobody waits, the cache's timers let the process exit by
 * itself. The child is a real Node process running a bundle of fixtures/waiting-callers.ts.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { bundleFixture, runNode, type BundledFixture } from "../support/child-node.js";
import { registerTenants, serviceKeys, tenantRole } from "./support.js";

let fake: FakeAws;
let fixture: BundledFixture;

beforeAll(async () => {
  fake = await startFakeAws();
  registerTenants(fake, 3);
  fixture = await bundleFixture(new URL("./fixtures/waiting-callers.ts", import.meta.url));
});

afterAll(async () => {
  await fake?.close();
  await fixture?.dispose();
});

it("three callers under a 1/s budget all get credentials, then the process exits by itself with code 0", async () => {
  const keys = serviceKeys(fake);
  const roles = [0, 1, 2].map((n) => `${tenantRole(n).roleArn}=${tenantRole(n).externalId}`);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, AWS_EC2_METADATA_DISABLED: "true", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
  // Generous: the budget needs ~2 s; a process kept alive by the cache would still run long after this.
  const { stdout, stderr, ...exit } = await runNode([fixture.script, fake.sts.endpoint, fake.region, keys.accessKeyId, keys.secretAccessKey, ...roles], env, 25_000);
  expect({ ...exit, stderr: stderr.trim(), stdout: stdout.trim() }).toEqual({ code: 0, signal: null, stderr: "", stdout: JSON.stringify({ got: 3 }) });
  expect(fake.sts.calls.filter((c) => c.action === "AssumeRole" && c.status === 200)).toHaveLength(3);
}, 40_000);
