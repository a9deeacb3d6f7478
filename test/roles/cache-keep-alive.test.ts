/**
 * Issue 25, defect 1, end to end: a background refresh already waits for the cache's rate budget (its
 * timer unref'd: refreshes alone never hold a process), then a caller joins — for another role, or for the
 * same role once its credentials expired. The script (fixtures/refresh-then-caller.ts, a real Node process
 * against the fake STS) must print the caller's credentials rather than exit mid-await with code 0.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { bundleFixture, runNode, type BundledFixture } from "../support/child-node.js";
import { registerTenants, serviceKeys, tenantRole } from "./support.js";

let fake: FakeAws;
let fixture: BundledFixture;

beforeAll(async () => {
  fake = await startFakeAws();
  registerTenants(fake, 2);
  // 3 s credentials: A's refresh is due after 1.5–2.25 s, its token (0.2/s) only after 5 s.
  fake.sts.setCredentialLifetime(3);
  fixture = await bundleFixture(new URL("./fixtures/refresh-then-caller.ts", import.meta.url));
});

afterAll(async () => {
  await fake?.close();
  await fixture?.dispose();
});

for (const mode of ["other", "expired"] as const) {
  const who = mode === "other" ? "a caller of another role" : "a caller of the same role whose credentials expired";
  it(`${who} joins behind a waiting background refresh: answered before the process exits, which then exits by itself`, async () => {
    const keys = serviceKeys(fake);
    const roles = [0, 1].map((n) => `${tenantRole(n).roleArn}=${tenantRole(n).externalId}`);
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, AWS_EC2_METADATA_DISABLED: "true", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
    const run = await runNode([fixture.script, mode, fake.sts.endpoint, fake.region, keys.accessKeyId, keys.secretAccessKey, ...roles], env, 25_000);
    const expected = mode === "other" ? { mode, answered: true } : { mode, answered: true, renewed: true };
    expect({ code: run.code, signal: run.signal, stdout: run.stdout.trim(), stderr: run.stderr.trim() }).toEqual({ code: 0, signal: null, stdout: JSON.stringify(expected), stderr: "" });
  }, 40_000);
}
