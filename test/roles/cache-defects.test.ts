/**
 * Review findings on the role cache, each through the public API and the fakes: a failing source is not a
 * tenant's refusal; an entry used once and expired reports idle and stays out of the ttl gauge; the
 * duration-clamp log is said again for a role evicted and used again (the set of logged roles is pruned).
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity } from "@smithy/types";
import { fromRegionalAssumeRole } from "../../src/sources/assume-role.js";
import { createAssumeRoleCache, type AssumeRoleCache, type AssumeRoleCacheOptions } from "../../src/roles/index.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { startOtel } from "../telemetry/support.js";
import { recordingLogger, registerTenants, serviceKeys, tenantRole } from "./support.js";

let fake: FakeAws;
let keys: AwsCredentialIdentity;
const caches: AssumeRoleCache[] = [];
const HUB_ROLE = "arn:aws:iam::123456789012:role/tenant-hub";

function cache(options: Partial<AssumeRoleCacheOptions> = {}): AssumeRoleCache {
  const c = createAssumeRoleCache({ source: async () => keys, region: fake.region, endpoint: fake.sts.endpoint, serviceName: "billing-api", ...options });
  caches.push(c);
  return c;
}
const failure = (p: Promise<unknown>): Promise<Error> => p.then(() => expect.unreachable("resolved"), (e: unknown) => e as Error);

beforeAll(async () => {
  fake = await startFakeAws();
  keys = serviceKeys(fake);
  registerTenants(fake, 4);
});
afterAll(() => fake.close());
beforeEach(() => fake.sts.clearCalls());
afterEach(() => {
  while (caches.length) caches.pop()!.stop();
});

it("a source failing with AccessDenied (fromTemporaryCredentials) backs off and retries; no tenant is cached as refused", async () => {
  // The hub role the service signs with does not trust it yet: the SDK's provider fails with AccessDenied.
  fake.sts.registerRole({ roleArn: HUB_ROLE, trustedPrincipals: ["999999999999"] });
  const source = fromTemporaryCredentials({
    params: { RoleArn: HUB_ROLE, RoleSessionName: "billing-api" },
    masterCredentials: keys,
    clientConfig: { region: fake.region, endpoint: fake.sts.endpoint },
  });
  const roles = cache({ source, negativeTtlMs: 60_000, backoff: { initialDelayMs: 50, jitter: "none", maxDelayMs: 50 } });
  for (const n of [0, 1]) {
    const error = await failure(roles.provider(tenantRole(n))());
    expect(error.message).toContain("source credentials that sign AssumeRole could not be resolved");
    expect(error.message).not.toContain("This refusal is cached");
  }
  expect(roles.status().entries!.map((e) => e.state)).toEqual(["failed", "failed"]);
  expect(fake.sts.calls.filter((c) => c.action === "AssumeRole" && c.details.roleArn !== HUB_ROLE)).toHaveLength(0);
  // The hub role is fixed: after the backoff, every tenant resolves.
  fake.sts.registerRole({ roleArn: HUB_ROLE, trustedPrincipals: ["123456789012"] });
  await new Promise((r) => setTimeout(r, 120));
  for (const n of [0, 1]) await expect(roles.provider(tenantRole(n))()).resolves.toMatchObject({ accessKeyId: expect.any(String) });
});

it("STS's own AccessDenied for a tenant's role is still cached as that tenant's refusal", async () => {
  const roles = cache({ negativeTtlMs: 60_000 });
  const provider = roles.provider({ ...tenantRole(2), externalId: "ext-wrong" });
  expect((await failure(provider())).message).toContain("This refusal is cached");
  await failure(provider());
  expect(fake.sts.calls.filter((c) => c.action === "AssumeRole")).toHaveLength(1);
  expect(roles.status().entries![0]!.state).toBe("negative");
});

it("a role used once, past its expiry, reports idle (not expired, no failure) and stays out of awscreds.credentials.ttl", async () => {
  const shortLived = await startFakeAws({ sts: { credentialLifetimeSeconds: 2 } });
  const otel = startOtel();
  try {
    registerTenants(shortLived, 1);
    const shortKeys = serviceKeys(shortLived);
    const roles = cache({ source: async () => shortKeys, region: shortLived.region, endpoint: shortLived.sts.endpoint, telemetry: { meterProvider: otel.meterProvider } });
    await roles.provider(tenantRole(0))();
    await new Promise((r) => setTimeout(r, 2_600));
    expect(roles.status().entries![0]).toMatchObject({ state: "idle", failures: 0 });
    const ttl = (await otel.metrics()).get("awscreds.credentials.ttl");
    const values = (ttl?.dataPoints ?? []).map((p) => p.value as number);
    expect(values.filter((v) => v < 0)).toEqual([]);
  } finally {
    await otel.shutdown();
    await shortLived.close();
  }
});

it("the duration-clamp log is said again for a role evicted and then used again (the logged set is pruned)", async () => {
  const logger = recordingLogger();
  fake.sts.registerRole({ roleArn: "arn:aws:iam::123456789012:role/billing-api", maxSessionDuration: 43_200 });
  const own = fromRegionalAssumeRole({ roleArn: "arn:aws:iam::123456789012:role/billing-api", source: async () => keys, region: fake.region, endpoint: fake.sts.endpoint });
  const roles = cache({ logger, maxEntries: 1, source: own }); // role-session credentials: role chaining
  const long = { ...tenantRole(3), durationSeconds: 7_200 };
  await roles.provider(long)();
  await roles.provider(tenantRole(1))(); // evicts the first (maxEntries 1)
  await roles.provider(long)();
  expect(logger.lines.filter((l) => l.includes("role chaining")).length).toBe(2);
  own.destroy();
});
