/**
 * Shared setup of the role cache tests: the fakes, a SaaS service's own keys, and tenants' roles.
 */
import { afterAll, afterEach, beforeAll } from "vitest";
import type { AwsCredentialIdentity } from "@smithy/types";
import { createAssumeRoleCache, type AssumeRoleCache, type AssumeRoleCacheOptions } from "../../src/roles/index.js";
import type { Logger } from "../../src/shared/logger.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { isolateEnv } from "../sources/support/env.js";

/** The role tenant `n` created in its own account for the service (account 2000000000nn). */
export function tenantRole(n: number): { roleArn: string; externalId: string; tenant: string } {
  const account = String(200_000_000_000 + n);
  return { roleArn: `arn:aws:iam::${account}:role/saas-access`, externalId: `ext-${n}-7f3k9`, tenant: `tenant-${n}` };
}

/** Registers tenants 0..count-1 in the fake STS: each trusts the service's account, with its ExternalId. */
export function registerTenants(fake: FakeAws, count: number, init: { maxSessionDuration?: number } = {}): void {
  for (let n = 0; n < count; n++) {
    const { roleArn, externalId } = tenantRole(n);
    fake.sts.registerRole({ roleArn, externalId, trustedPrincipals: ["123456789012"], ...init });
  }
}

export function serviceKeys(fake: FakeAws): AwsCredentialIdentity {
  return fake.registerStaticKeys({ arn: "arn:aws:iam::123456789012:user/billing-api" });
}

export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  return { lines, debug: () => undefined, info: push, warn: push, error: push };
}

/**
 * The fake STS, the service's keys and a cache factory for one test file: started before its tests, faults
 * restored and every cache made by `roles()` stopped after each, closed after all (with the environment restored).
 */
export function roleCacheHarness(tenants: number): {
  fake: () => FakeAws;
  roles: (options?: Partial<AssumeRoleCacheOptions>) => AssumeRoleCache;
} {
  let fake: FakeAws | undefined;
  let keys: AwsCredentialIdentity;
  let restoreEnv: () => void = () => undefined;
  const cleanups: (() => void)[] = [];
  beforeAll(async () => {
    restoreEnv = isolateEnv();
    fake = await startFakeAws();
    keys = serviceKeys(fake);
    registerTenants(fake, tenants);
  });
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
    fake?.sts.faults.restore();
  });
  afterAll(async () => {
    await fake?.close();
    restoreEnv();
  });
  const started = (): FakeAws => {
    if (fake === undefined) throw new Error("roleCacheHarness: the fake AWS starts in beforeAll; use it inside a test");
    return fake;
  };
  return {
    fake: started,
    roles(options = {}) {
      const f = started();
      const cache = createAssumeRoleCache({ source: async () => keys, region: f.region, endpoint: f.sts.endpoint, serviceName: "billing-api", ...options });
      cleanups.push(() => cache.stop());
      return cache;
    },
  };
}
