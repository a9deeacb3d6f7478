import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FakeAws } from "../../../src/testing/index.js";

/** Variables that could steer credentials or point a client at real AWS. */
const LEAKY = /^(AWS_|APP_ENV$|KUBERNETES_SERVICE_HOST$|KUBERNETES_SERVICE_PORT$)/;

/**
 * Clears every `AWS_*`, `APP_ENV` and Kubernetes variable, points `HOME` at an empty temporary directory
 * (so no real `~/.aws` is ever read), then applies `vars`. Returns a function restoring `process.env`.
 */
export function isolateEnv(vars: Record<string, string> = {}): () => void {
  const saved = { ...process.env };
  const home = mkdtempSync(join(tmpdir(), "awscreds-sources-home-"));
  for (const key of Object.keys(process.env)) if (LEAKY.test(key)) delete process.env[key];
  process.env.HOME = home;
  // Any SDK code run by mistake must not reach for 169.254.169.254.
  process.env.AWS_EC2_METADATA_DISABLED = "true";
  Object.assign(process.env, vars);
  return () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    rmSync(home, { recursive: true, force: true });
  };
}

/** Runs `fn`, expecting a rejection; returns the error. */
export async function rejection(fn: () => Promise<unknown>): Promise<Error & { tryNextLink?: boolean; cause?: unknown }> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection, got a result");
}

/** What the chain's tests reset between tests: a fresh environment pointing IMDS at `fake`, and clean fakes. */
export async function resetForChain(fake: FakeAws): Promise<{ restoreEnv: () => void; tokenFile: string }> {
  const restoreEnv = isolateEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: fake.imds.endpoint });
  delete process.env.AWS_EC2_METADATA_DISABLED;
  const tokenFile = await fake.writeWebIdentityToken();
  for (const service of [fake.sts, fake.imds, fake.container]) {
    service.faults.restore();
    service.clearCalls();
  }
  fake.imds.setRoleName("fake-instance-role");
  return { restoreEnv, tokenFile };
}
