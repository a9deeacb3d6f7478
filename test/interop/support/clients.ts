/**
 * Runs clients we did not write (botocore/boto3, the AWS CLI, curl) against the fakes, with explicit
 * endpoints and an environment that holds nothing but what the test passes: no `~/.aws`, no machine
 * `AWS_*` variables, the Debian binaries by absolute path (never a pyenv or pip shim on PATH).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { KnownCredentials } from "../../../src/testing/core/credential-store.js";

export const PYTHON = "/usr/bin/python3";
export const AWS_CLI = "/usr/bin/aws";
export const CURL = "/usr/bin/curl";
const DRIVER = fileURLToPath(new URL("./boto3_driver.py", import.meta.url));
const HOME = mkdtempSync(join(tmpdir(), "awscreds-interop-home-"));

/** The environment of a client process: the basics, a throwaway HOME, and `vars`. Nothing else leaks in. */
export function clientEnv(vars: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
    HOME,
    LANG: "C.UTF-8",
    AWS_CONFIG_FILE: join(HOME, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(HOME, "no-credentials"),
    AWS_PAGER: "",
  };
  for (const [k, v] of Object.entries(vars)) if (v !== undefined) env[k] = v;
  return env;
}

export function keyEnv(keys: Pick<KnownCredentials, "accessKeyId" | "secretAccessKey" | "sessionToken">): Record<string, string | undefined> {
  return { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey, AWS_SESSION_TOKEN: keys.sessionToken };
}

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(file: string, args: readonly string[], env: Record<string, string>, timeoutMs = 60_000): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

export interface BotoError {
  class: string;
  code: string | null;
  message: string | null;
  status: number | null;
}
export type BotoOutcome<T = Record<string, unknown>> = { ok: T; error?: undefined } | { ok?: undefined; error: BotoError };

/** One boto3 call (or credential / region lookup) in a fresh Python process. */
export async function boto3<T = Record<string, unknown>>(spec: Record<string, unknown>, env: Record<string, string | undefined>): Promise<BotoOutcome<T>> {
  const json = JSON.stringify(spec);
  // One argument holds at most 128 KiB (MAX_ARG_STRLEN): a larger spec goes through a file.
  let arg = json;
  if (json.length > 64 * 1024) {
    arg = `@${join(mkdtempSync(join(tmpdir(), "awscreds-boto3-spec-")), "spec.json")}`;
    writeFileSync(arg.slice(1), json);
  }
  const result = await run(PYTHON, [DRIVER, arg], clientEnv(env));
  const line = result.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as BotoOutcome<T>;
  } catch {
    throw new Error(`boto3 driver failed (exit ${result.code}): ${result.stderr.slice(-2000)}`);
  }
}

/** `aws <args> --output json`; parses stdout when it is JSON. */
export async function awsCli(args: readonly string[], env: Record<string, string | undefined>): Promise<ProcessResult & { json?: Record<string, unknown> }> {
  const result = await run(AWS_CLI, [...args, "--output", "json", "--no-cli-pager"], clientEnv(env));
  const text = result.stdout.trim();
  return text.startsWith("{") ? { ...result, json: JSON.parse(text) as Record<string, unknown> } : result;
}
