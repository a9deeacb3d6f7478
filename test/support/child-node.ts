/**
 * A fixture run as a real Node process: bundled with esbuild (which tsup already brings) into a temp
 * directory, then spawned with only the environment a test gives it. For tests of what a whole process
 * does, such as exiting by itself when nothing but awscreds' timers is left.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export interface Bundle {
  /** The temp folder holding the output files. */
  dir: string;
  dispose(): Promise<void>;
}

export interface BundleOptions {
  /** `cjs` (default): one `<name>.cjs` per entry. `esm`: `<name>.js` files sharing chunks, as tsup ships ESM. */
  format?: "cjs" | "esm";
  /** `external`: leave every package to be resolved at run time, from the node_modules the test sets up. */
  packages?: "bundle" | "external";
}

/** Bundles `entries` (output name → source file) into a temp folder. */
export async function bundle(entries: Record<string, string>, options: BundleOptions = {}): Promise<Bundle> {
  const esm = options.format === "esm";
  const dir = await mkdtemp(join(tmpdir(), `awscreds-${Object.keys(entries).join("-")}-`));
  await build({
    entryPoints: entries,
    bundle: true,
    platform: "node",
    target: "node20",
    format: esm ? "esm" : "cjs",
    ...(esm ? { splitting: true } : { outExtension: { ".js": ".cjs" } }),
    ...(options.packages === "external" && { packages: "external" as const }),
    outdir: dir,
    logLevel: "silent",
  });
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

export interface BundledFixture {
  script: string;
  dispose(): Promise<void>;
}

/** Bundles `fixture` (a URL, e.g. `new URL("./fixtures/x.ts", import.meta.url)`) into one CommonJS file. */
export async function bundleFixture(fixture: URL): Promise<BundledFixture> {
  const name = fileURLToPath(fixture).replace(/^.*\//, "").replace(/\.ts$/, "");
  const { dir, dispose } = await bundle({ [name]: fileURLToPath(fixture) });
  return { script: join(dir, `${name}.cjs`), dispose };
}

export interface NodeRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <args>` and waits for it to exit; killed after `killAfterMs` (a process kept alive shows as SIGKILL). */
export function runNode(args: string[], env: NodeJS.ProcessEnv, killAfterMs: number): Promise<NodeRun> {
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    const guard = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    child.on("exit", (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
