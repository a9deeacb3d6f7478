/**
 * `awscreds/testing` (the loopback fakes: servers, a credential store, queues) never reaches a user's
 * production bundle through the main entry or `awscreds/sqs`. Checked the way a user meets it: the package
 * built by the repository's own tsup config, installed as `node_modules/awscreds` with its package.json
 * (exports, sideEffects), and bundled by esbuild for an app that imports it — ESM and CommonJS alike.
 * Only the fakes' own entry may carry them (the control: without it the check could pass vacuously).
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build as bundle } from "esbuild";
import { build as buildPackage, type Options } from "tsup";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import configs from "../../tsup.config.js";

const ROOT = resolve(import.meta.dirname, "../..");
/** Names only the fakes define (classes and functions keep their names in an unminified bundle). */
const FAKES = ["startFakeAws", "FakeQueue", "CredentialStore", "FakeRoleRegistry", "makeFakeWebIdentityToken"];
const EXTERNAL = ["@aws-sdk/*", "@smithy/*", "@opentelemetry/*"];

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "awscreds-bundle-"));
  const pkg = join(dir, "node_modules", "awscreds");
  await mkdir(pkg, { recursive: true });
  for (const config of configs as Options[]) {
    // The shipped build, minus the types (not what a bundler reads) to keep the test quick.
    await buildPackage({ ...config, config: false, dts: false, silent: true, outDir: join(pkg, "dist") });
  }
  await cp(join(ROOT, "package.json"), join(pkg, "package.json"));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function bundled(name: string, source: string, format: "esm" | "cjs"): Promise<string> {
  const entry = join(dir, name);
  await writeFile(entry, source);
  const outfile = join(dir, `${name}.out.js`);
  await bundle({ entryPoints: [entry], bundle: true, platform: "node", target: "node20", format, outfile, external: EXTERNAL, logLevel: "silent" });
  return readFile(outfile, "utf8");
}

const fakesIn = (code: string): string[] => FAKES.filter((marker) => code.includes(marker));

describe("a production bundle of an app using awscreds holds none of the fakes", () => {
  it("ESM: everything the main entry and awscreds/sqs export", async () => {
    const code = await bundled("app.mjs", 'import * as awscreds from "awscreds";\nimport * as sqs from "awscreds/sqs";\nconsole.log(awscreds, sqs);\n', "esm");
    expect(code).toContain("createRefresher");
    expect(code).toContain("createLongPollingClient");
    expect(fakesIn(code)).toEqual([]);
  });

  it("CommonJS: require of the main entry and awscreds/sqs", async () => {
    const code = await bundled("app.cjs", 'const awscreds = require("awscreds");\nconst sqs = require("awscreds/sqs");\nconsole.log(awscreds, sqs);\n', "cjs");
    expect(code).toContain("createRefresher");
    expect(code).toContain("createLongPollingClient");
    expect(fakesIn(code)).toEqual([]);
  });

  it("control: a test bundle that imports awscreds/testing holds them", async () => {
    const code = await bundled("test.mjs", 'import { startFakeAws } from "awscreds/testing";\nconsole.log(startFakeAws);\n', "esm");
    expect(fakesIn(code)).toEqual(FAKES);
  });
});
