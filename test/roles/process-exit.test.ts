/**
 * Callers waiting on the role cache's rate budget keep the process alive until they have credentials (an
 * unref'd wait let a script die mid-call); once nobody waits, the cache's timers let the process exit by
 * itself. The child is a real Node process running a bundle of fixtures/waiting-callers.ts.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { registerTenants, serviceKeys, tenantRole } from "./support.js";

let fake: FakeAws;
let outDir: string;
let script: string;

beforeAll(async () => {
  fake = await startFakeAws();
  registerTenants(fake, 3);
  outDir = await mkdtemp(join(tmpdir(), "awscreds-waiting-callers-"));
  script = join(outDir, "waiting-callers.cjs");
  await build({
    entryPoints: [fileURLToPath(new URL("./fixtures/waiting-callers.ts", import.meta.url))],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    outfile: script,
    logLevel: "silent",
  });
});

afterAll(async () => {
  await fake?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

it("three callers under a 1/s budget all get credentials, then the process exits by itself with code 0", async () => {
  const keys = serviceKeys(fake);
  const roles = [0, 1, 2].map((n) => `${tenantRole(n).roleArn}=${tenantRole(n).externalId}`);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, AWS_EC2_METADATA_DISABLED: "true", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
  const child = spawn(process.execPath, [script, fake.sts.endpoint, fake.region, keys.accessKeyId, keys.secretAccessKey, ...roles], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // Generous: the budget needs ~2 s; a process kept alive by the cache would still run long after this.
    const guard = setTimeout(() => child.kill("SIGKILL"), 25_000);
    child.on("exit", (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal });
    });
  });
  expect({ ...exit, stderr: stderr.trim(), stdout: stdout.trim() }).toEqual({ code: 0, signal: null, stderr: "", stdout: JSON.stringify({ got: 3 }) });
  expect(fake.sts.calls.filter((c) => c.action === "AssumeRole" && c.status === 200)).toHaveLength(3);
}, 40_000);
