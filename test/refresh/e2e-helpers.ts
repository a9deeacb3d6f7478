/**
 * End-to-end plumbing: the fakes, an environment with no real AWS settings, the SDK's own web identity
 * provider pointed at the fake STS, the set-up of an end-to-end file, and a load generator that times
 * credential resolutions.
 */
import { performance } from "node:perf_hooks";
import { fromTokenFile } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { trackUnhandledRejections } from "./helpers.js";

/** Removes every AWS_* variable (so nothing real leaks in) and points shared files nowhere. Returns a restore. */
export function isolateAwsEnv(): () => void {
  const saved = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("AWS_")));
  for (const key of Object.keys(saved)) delete process.env[key];
  process.env.AWS_CONFIG_FILE = "/nonexistent/awscreds-test/config";
  process.env.AWS_SHARED_CREDENTIALS_FILE = "/nonexistent/awscreds-test/credentials";
  process.env.AWS_EC2_METADATA_DISABLED = "true";
  return () => {
    for (const key of Object.keys(process.env)) if (key.startsWith("AWS_")) delete process.env[key];
    Object.assign(process.env, saved);
  };
}

/** The SDK's own `fromTokenFile`, talking to the fake STS only. */
export function webIdentitySource(fake: FakeAws, tokenFile: string, sessionName = "refresh-e2e"): AwsCredentialIdentityProvider {
  return fromTokenFile({
    webIdentityTokenFile: tokenFile,
    roleArn: `arn:aws:iam::${fake.accountId}:role/refresh-e2e`,
    roleSessionName: sessionName,
    clientConfig: { endpoint: fake.sts.endpoint, region: fake.region },
  });
}

/** What {@link useFakeAwsAndCatchUnhandled} sets up once per file; read the fields inside tests and hooks only. */
export interface E2eFakes {
  readonly fake: FakeAws;
  /** A web identity token file the fake STS accepts. */
  readonly tokenFile: string;
  readonly queueUrl: string;
  /** Pushed to by the tests; run and emptied after every test. */
  readonly cleanups: (() => void)[];
}

/**
 * The set-up of the end-to-end files: an environment with no real AWS settings, the fakes with a token
 * file and a queue named `queueName`, the cleanups and fault reset after every test, and, once the file
 * is done, the check that nothing rejected unhandled. Call at the top level of the file.
 */
export function useFakeAwsAndCatchUnhandled(queueName: string): E2eFakes {
  const unhandled = trackUnhandledRejections();
  const e2e: { fake?: FakeAws; tokenFile?: string; queueUrl?: string; cleanups: (() => void)[] } = { cleanups: [] };
  let restoreEnv: (() => void) | undefined;
  beforeAll(async () => {
    restoreEnv = isolateAwsEnv();
    const fake = await startFakeAws();
    e2e.fake = fake;
    e2e.tokenFile = await fake.writeWebIdentityToken();
    e2e.queueUrl = fake.sqs.createQueue(queueName);
  });
  afterEach(() => {
    for (const cleanup of e2e.cleanups.splice(0)) cleanup();
    e2e.fake?.sts.faults.restore();
    e2e.fake?.sqs.faults.restore();
  });
  afterAll(async () => {
    await e2e.fake?.close();
    restoreEnv?.();
    unhandled.dispose();
    expect(unhandled.reasons).toEqual([]);
  });
  return e2e as E2eFakes;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Resolution {
  /** performance.now() when the call started. */
  start: number;
  durationMs: number;
  credentials?: AwsCredentialIdentity;
  error?: unknown;
  /** Date.now() when the call ended. */
  endedAt: number;
}

/**
 * Calls the given providers (e.g. `client.config.credentials` of real clients) from `workers` concurrent
 * loops with a short pause between calls, for `durationMs`, timing each resolution.
 */
export async function resolveUnderLoad(
  providers: readonly (() => Promise<AwsCredentialIdentity>)[],
  durationMs: number,
  workers = 4,
  pauseMs = 10,
): Promise<Resolution[]> {
  const results: Resolution[] = [];
  const until = performance.now() + durationMs;
  const worker = async (offset: number): Promise<void> => {
    for (let i = offset; performance.now() < until; i++) {
      const provider = providers[i % providers.length]!;
      const start = performance.now();
      try {
        const credentials = await provider();
        results.push({ start, durationMs: performance.now() - start, credentials, endedAt: Date.now() });
      } catch (error) {
        results.push({ start, durationMs: performance.now() - start, error, endedAt: Date.now() });
      }
      await sleep(pauseMs);
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  return results;
}

/** Polls `condition` every 25 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (condition()) return true;
    await sleep(25);
  }
  return condition();
}
