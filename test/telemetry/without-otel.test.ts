/**
 * `@opentelemetry/api` is an optional peer dependency: without it, awscreds imports, resolves and
 * injects (nothing) as usual, and no OpenTelemetry file is loaded. Proven in fresh processes running a
 * build of src/ installed in a temporary node_modules where every dependency is present but
 * `@opentelemetry/*` — and, as the control that shows the check can fail, the same with the API present.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundle, type Bundle } from "../support/child-node.js";

const ROOT = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);
let builds: { esm: Bundle; cjs: Bundle };

/** tmp/node_modules: awscreds (built now) and a link to every installed package except @opentelemetry/*. */
async function install(withOtelApi: boolean): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "awscreds-no-otel-"));
  const modules = join(root, "node_modules");
  const pkg = join(modules, "awscreds");
  await mkdir(pkg, { recursive: true });
  await cp(builds.esm.dir, join(pkg, "dist/esm"), { recursive: true });
  await cp(builds.cjs.dir, join(pkg, "dist/cjs"), { recursive: true });
  const entry = (name: string) => ({ import: `./dist/esm/${name}.js`, require: `./dist/cjs/${name}.cjs` });
  await writeFile(
    join(pkg, "package.json"),
    JSON.stringify({ name: "awscreds", version: "0.0.0-test", type: "module", exports: { ".": entry("index"), "./sqs": entry("sqs"), "./telemetry-internal": entry("telemetry") } }),
  );
  for (const name of await readdir(join(ROOT, "node_modules"))) {
    if (name.startsWith(".") || name === "awscreds") continue;
    if (name === "@opentelemetry") {
      if (!withOtelApi) continue;
      await mkdir(join(modules, name));
      await symlink(join(ROOT, "node_modules", name, "api"), join(modules, name, "api"));
      continue;
    }
    await symlink(join(ROOT, "node_modules", name), join(modules, name));
  }
  return root;
}

const ESM_CHILD = `
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
let resolvable = true;
try { require.resolve("@opentelemetry/api"); } catch { resolvable = false; }
const awscreds = await import("awscreds");
const sqs = await import("awscreds/sqs");
const internal = await import("awscreds/telemetry-internal");
const chain = awscreds.fromEnvGatedChain({ env: { APP_ENV: "local", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" } });
const credentials = await chain();
const attributes = sqs.withTraceContext({ tenant: { DataType: "String", StringValue: "acme" } });
const report = sqs.injectTraceContext();
const telemetry = [
  internal.credentialsTelemetry(undefined, { provider: "p", source: "env" }),
  internal.stsTelemetry(undefined),
  internal.roleCacheTelemetry(undefined, "c"),
  internal.consumerTelemetry(undefined, { queueUrl: "http://127.0.0.1/1/q" }),
].map((t) => t === undefined ? "off" : "on");
const refreshed = await internal.withRefreshTelemetry(undefined, "initial", async () => "fetched");
// The faces, with telemetry left at its default: they work, whether the API is there or not.
const refresher = awscreds.createRefresher(chain, { name: "child" });
await refresher.ready;
const viaRefresher = (await refresher()).accessKeyId;
refresher.stop();
const roles = awscreds.createAssumeRoleCache({ source: refresher, region: "eu-west-1", name: "child" });
const cacheSize = roles.status().size;
roles.stop();
const loaded = Object.keys(require.cache).filter((k) => k.includes("opentelemetry"));
console.log(JSON.stringify({ resolvable, accessKeyId: credentials.accessKeyId, attributes, report, telemetry, refreshed, viaRefresher, cacheSize, loaded }));
`;

const CJS_CHILD = `
let resolvable = true;
try { require.resolve("@opentelemetry/api"); } catch { resolvable = false; }
const awscreds = require("awscreds");
const sqs = require("awscreds/sqs");
const internal = require("awscreds/telemetry-internal");
(async () => {
  const credentials = await awscreds.fromEnvGatedChain({ env: { APP_ENV: "local", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" } })();
  const attributes = sqs.withTraceContext({ tenant: { DataType: "String", StringValue: "acme" } });
  const report = sqs.injectTraceContext();
  const telemetry = [internal.credentialsTelemetry(undefined, { provider: "p", source: "env" }), internal.stsTelemetry(undefined)].map((t) => t === undefined ? "off" : "on");
  const loaded = Object.keys(require.cache).filter((k) => k.includes("opentelemetry"));
  console.log(JSON.stringify({ resolvable, accessKeyId: credentials.accessKeyId, attributes, report, telemetry, loaded }));
})();
`;

const FALSE_CHILD = `
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const sqs = await import("awscreds/sqs");
const internal = await import("awscreds/telemetry-internal");
const telemetry = [
  internal.credentialsTelemetry(false, { provider: "p", source: "env" }),
  internal.stsTelemetry(false),
  internal.roleCacheTelemetry(false, "c"),
  internal.consumerTelemetry(false, { queueUrl: "http://127.0.0.1/1/q" }),
].map((t) => t === undefined ? "off" : "on");
const attributes = sqs.withTraceContext({}, { telemetry: false });
const awscreds = await import("awscreds");
const refresher = awscreds.createRefresher(async () => ({ accessKeyId: "AKID", secretAccessKey: "secret" }), { telemetry: false });
await refresher.ready;
refresher.stop();
awscreds.createAssumeRoleCache({ source: refresher, region: "eu-west-1", telemetry: false }).stop();
awscreds.fromRegionalWebIdentity({ env: {}, telemetry: false });
const loaded = Object.keys(require.cache).filter((k) => k.includes("opentelemetry"));
console.log(JSON.stringify({ telemetry, attributes, loaded }));
`;

async function child(root: string, file: string, source: string): Promise<Record<string, unknown>> {
  await writeFile(join(root, file), source);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: root };
  const { stdout } = await run(process.execPath, [file], { cwd: root, env, timeout: 20_000 });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
}

beforeAll(async () => {
  const entries = { index: join(ROOT, "src/index.ts"), sqs: join(ROOT, "src/sqs/index.ts"), telemetry: join(ROOT, "src/telemetry/index.ts") };
  // The shapes tsup ships: ESM with shared chunks, CJS; packages come from the test's node_modules.
  builds = { esm: await bundle(entries, { format: "esm", packages: "external" }), cjs: await bundle(entries, { packages: "external" }) };
}, 60_000);

afterAll(async () => {
  await Promise.all([builds?.esm.dispose(), builds?.cjs.dispose()]);
});

describe("without @opentelemetry/api installed", () => {
  for (const [format, file, source] of [
    ["ESM", "child.mjs", ESM_CHILD],
    ["CJS", "child.cjs", CJS_CHILD],
  ] as const) {
    it(`${format}: credentials resolve, trace helpers add nothing, telemetry is off, no OpenTelemetry file loads`, async () => {
      const root = await install(false);
      try {
        const out = await child(root, file, source);
        expect(out.resolvable).toBe(false);
        expect(out.accessKeyId).toBe("test");
        expect(out.attributes).toEqual({ tenant: { DataType: "String", StringValue: "acme" } });
        expect(out.report).toEqual({ messageAttributes: {}, added: [], skipped: [] });
        expect((out.telemetry as string[]).every((t) => t === "off")).toBe(true);
        if (format === "ESM") expect([out.refreshed, out.viaRefresher, out.cacheSize]).toEqual(["fetched", "test", 0]);
        expect(out.loaded).toEqual([]);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    }, 30_000);
  }

  it("control: the same processes with the API installed load it and turn telemetry on; telemetry: false still loads nothing", async () => {
    const root = await install(true);
    try {
      for (const [file, source] of [
        ["child.mjs", ESM_CHILD],
        ["child.cjs", CJS_CHILD],
      ] as const) {
        const out = await child(root, file, source);
        expect(out.resolvable).toBe(true);
        expect((out.telemetry as string[]).every((t) => t === "on")).toBe(true);
        expect((out.loaded as string[]).some((k) => k.includes("/@opentelemetry/api/"))).toBe(true);
      }
      // telemetry: false never loads the API, even when it is installed.
      const off = await child(root, "off.mjs", FALSE_CHILD);
      expect(off).toEqual({ telemetry: ["off", "off", "off", "off"], attributes: {}, loaded: [] });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 30_000);
});
