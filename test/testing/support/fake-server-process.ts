/**
 * `awscreds fake` as a child process (the built CLI), for tests that use the one-port server the way a
 * developer does: started, read from its banner, stopped with SIGTERM.
 */
import { spawn, type ChildProcess } from "node:child_process";

export interface FakeServerProcess {
  /** `http://127.0.0.1:PORT`, from the banner. */
  endpoint: string;
  child: ChildProcess;
  /** Everything printed so far. */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code and signal. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `node <cliPath> fake --port 0 …args` and waits for its banner (at most `timeoutMs`).
 *
 * @example
 * ```ts
 * const server = await startFakeServerProcess(cli.path, ["--region", "eu-west-1"]);
 * ```
 */
export function startFakeServerProcess(cliPath: string, args: readonly string[] = [], timeoutMs = 20_000): Promise<FakeServerProcess> {
  const child = spawn(process.execPath, [cliPath, "fake", "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH ?? "" } });
  let output = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`awscreds fake printed no banner in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const endpoint = /^export AWS_ENDPOINT_URL='([^']+)'$/m.exec(output)?.[1];
      if (endpoint === undefined) return;
      clearTimeout(timer);
      resolve({
        endpoint,
        child,
        output: () => output,
        stop: () => {
          child.kill("SIGTERM");
          return exited;
        },
      });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`awscreds fake exited (${code}) before its banner:\n${output}`));
    });
  });
}
