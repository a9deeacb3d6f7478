/**
 * What the command talks to: output streams, the environment and a cancellation signal. `main()` takes
 * one, so tests can run the whole command in-process with captured output and their own variables.
 */
import type { EnvVars } from "../shared/env.js";

/** A writable text stream, as much of it as the command uses (`process.stdout` fits). */
export interface CliStream {
  write(chunk: string): unknown;
  /** True on a terminal: colours and a live status line are used only then. */
  isTTY?: boolean;
  /** Terminal width, for wrapping long reasons. */
  columns?: number;
}

export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  /** The variables the command reads (doctor: what the credential chain would see). */
  env: EnvVars;
  /** Aborted on Ctrl-C: `demo` then stops early and still prints its summary. */
  signal?: AbortSignal;
}

/**
 * The real process: `process.stdout`, `process.stderr` and `process.env` itself (the same object, so the
 * SDK providers that read `process.env` directly agree with what doctor reports).
 *
 * @example
 * ```ts
 * const code = await main(process.argv.slice(2), processIo());
 * ```
 */
export function processIo(signal?: AbortSignal): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, ...(signal && { signal }) };
}
