/**
 * Runs the BUILT `awscreds` command as a subprocess: builds src/cli/index.ts with tsup into a temporary
 * directory inside the project (so `node_modules` resolves), or uses AWSCREDS_CLI if set (e.g. the
 * packaged dist/cli/index.js). Every run gets a clean environment: no variable of the machine's leaks in.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const WATCH_FIXTURE = join(ROOT, "test/cli/fixtures/watch-aws-dir.mjs");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout + stderr, for "never in any output" checks. */
  all: string;
  /** With `watchPrefix`: file system accesses under it, e.g. `open /tmp/home/.aws/credentials`. */
  accesses: string[];
}

export interface BuiltCli {
  path: string;
  cleanup(): void;
}

/**
 * Builds the CLI (ESM, as the bin ships) and returns its path.
 *
 * @example
 * ```ts
 * const cli = await buildCli(); // in beforeAll
 * ```
 */
export async function buildCli(): Promise<BuiltCli> {
  const given = process.env.AWSCREDS_CLI;
  if (given) return { path: resolve(given), cleanup: () => undefined };
  mkdirSync(join(ROOT, ".tmp"), { recursive: true });
  const outDir = mkdtempSync(join(ROOT, ".tmp", "cli-test-build-"));
  const { build } = await import("tsup");
  await build({
    config: false, // not the package's tsup.config.ts: only the CLI entry, into outDir
    entry: { index: join(ROOT, "src/cli/index.ts") },
    format: ["esm"],
    outDir,
    target: "node20",
    splitting: true,
    dts: false,
    sourcemap: false,
    silent: true,
  });
  return { path: join(outDir, "index.js"), cleanup: () => rmSync(outDir, { recursive: true, force: true }) };
}

/** A home directory of its own for a run (so no real ~/.aws is ever near the CLI). */
export function tempHome(): { home: string; cleanup(): void } {
  const home = mkdtempSync(join(tmpdir(), "awscreds-cli-home-"));
  return { home, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

/**
 * Runs `node <cli> ...args` with exactly `env` (plus PATH), and resolves with its outputs and exit code.
 *
 * @example
 * ```ts
 * const result = await runCli(cli.path, ["doctor", "--json"], { APP_ENV: "local", HOME: home });
 * ```
 */
export function runCli(
  cliPath: string,
  args: readonly string[],
  env: Record<string, string>,
  options: { watchPrefix?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const logFile = options.watchPrefix ? join(mkdtempSync(join(tmpdir(), "awscreds-cli-fs-")), "accesses.json") : undefined;
  const nodeArgs = options.watchPrefix ? ["--import", WATCH_FIXTURE] : [];
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    // The SDK's notice about future Node.js versions is noise in these outputs.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...env,
    ...(logFile && options.watchPrefix && { AWSCREDS_TEST_FS_LOG: logFile, AWSCREDS_TEST_WATCH_PREFIX: options.watchPrefix }),
  };
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, cliPath, ...args], { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      let accesses: string[] = [];
      if (logFile) {
        try {
          accesses = JSON.parse(readFileSync(logFile, "utf8")) as string[];
        } catch {
          accesses = ["<no access log written>"];
        }
        rmSync(dirname(logFile), { recursive: true, force: true });
      }
      resolvePromise({ code, stdout, stderr, all: stdout + stderr, accesses });
    });
  });
}

// eslint-disable-next-line no-control-regex
export const ANSI = /\u001b\[/;

/** A colour (SGR) sequence, as opposed to cursor movement. */
// eslint-disable-next-line no-control-regex
export const SGR = /\u001b\[[0-9;]*m/;

/** A 40-character base64url run: the shape of the fakes' secret access keys. */
export const SECRET_SHAPE = /[A-Za-z0-9_-]{40}/;
