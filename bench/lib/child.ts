/**
 * Runs a fresh Node.js process and times it from spawn to exit: what a user pays at start-up is only
 * visible in a process that has loaded nothing yet.
 */
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";

export interface ChildRun {
  wallMs: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Spawns `node <args>` (plain Node: no loader or flags of the parent) and waits for it to exit.
 *
 * @example
 * ```ts
 * const run = await runNode(["-e", "console.log(1)"], { cwd: repoRoot, env: { PATH: process.env.PATH ?? "" } });
 * ```
 */
export function runNode(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [...args], { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ wallMs: performance.now() - start, code, stdout, stderr });
    });
  });
}
