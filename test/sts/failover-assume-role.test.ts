/**
 * Regional failover of AssumeRole (`fromRegionalAssumeRole`, `createAssumeRoleCache`) over real TLS with
 * the real regional hostnames: the primary eu-west-1 down, eu-central-1 serving; signed with the same keys,
 * which both regional fakes know (as both regions of one account do).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AwsCredentialIdentity } from "@smithy/types";
import { createRefresher } from "../../src/refresh/index.js";
import { createAssumeRoleCache } from "../../src/roles/index.js";
import { fromRegionalAssumeRole, type RegionalAssumeRoleOptions } from "../../src/sources/assume-role.js";
import { resolveUnderLoad } from "../refresh/e2e-helpers.js";
import { isolateEnv, rejection } from "../sources/support/env.js";
import type { RoutingAgent } from "../sources/support/tls.js";
import { captureLog, PRIMARY_HOST, SECONDARY_HOST, startTwoRegions, type TwoRegions } from "./support/two-regions.js";

const ROLE = "arn:aws:iam::210987654321:role/saas-access";
const LIFETIME_S = 3;

let regions: TwoRegions;
let keys: AwsCredentialIdentity;
let routing: RoutingAgent;
let restoreEnv: () => void;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  regions = await startTwoRegions({ credentialLifetimeSeconds: LIFETIME_S });
  keys = regions.primary.registerStaticKeys({ arn: "arn:aws:iam::123456789012:user/saas-service" });
  regions.secondary.registerStaticKeys({ accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey, arn: "arn:aws:iam::123456789012:user/saas-service" });
  for (const fake of [regions.primary, regions.secondary]) {
    fake.sts.registerRole({ roleArn: ROLE, externalId: "acme-7f3k9", trustedPrincipals: ["123456789012"] });
  }
});
afterAll(() => regions.close());
beforeEach(() => {
  restoreEnv = isolateEnv();
  regions.endOutage();
  regions.primary.sts.clearCalls();
  regions.secondary.sts.clearCalls();
  routing = regions.routing();
});
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  regions.endOutage();
  routing.agent.destroy();
  restoreEnv();
});

const transport = {
  region: "eu-west-1",
  failoverRegions: ["eu-central-1"],
  failoverCooldownMs: 1_000,
  requestTimeoutMs: 300,
  connectionTimeoutMs: 300,
  retry: { baseDelayMs: 20, maxDelayMs: 100 },
};

function assumeRole(options: Partial<RegionalAssumeRoleOptions> = {}) {
  const provider = fromRegionalAssumeRole({
    roleArn: ROLE,
    externalId: "acme-7f3k9",
    source: async () => keys,
    ...transport,
    clientConfig: { requestHandler: { httpsAgent: routing.agent } },
    ...options,
  });
  cleanups.push(provider.destroy);
  return provider;
}

const assumeRoleCalls = (host: string): number =>
  [regions.primary, regions.secondary].flatMap((f) => f.sts.calls).filter((c) => c.action === "AssumeRole" && c.host === host).length;

describe("fromRegionalAssumeRole", () => {
  it("primary down (503) for longer than the credentials live: a refresher over it fails no resolution, and returns to the primary", async () => {
    const log = captureLog();
    const refresher = createRefresher(assumeRole({ logger: log.logger }), { logger: log.logger, backoff: { initialDelayMs: 100, maxDelayMs: 400 } });
    cleanups.push(() => refresher.stop());
    await refresher.ready;
    regions.startOutage("503");
    const during = await resolveUnderLoad([() => refresher()], 2 * LIFETIME_S * 1_000, 2, 20);
    const statusDuring = refresher.status();
    regions.endOutage();
    expect(during.filter((r) => r.error !== undefined).map((r) => String(r.error))).toEqual([]);
    expect(assumeRoleCalls(SECONDARY_HOST)).toBeGreaterThanOrEqual(2);
    // Signed for the failover endpoint's own region: the eu-central-1 fake, like STS there, rejects a
    // signature scoped to eu-west-1 (SignatureDoesNotMatch), and it answered 200.
    const signed = regions.secondary.sts.calls.filter((c) => c.action === "AssumeRole");
    expect(signed.every((c) => c.status === 200 && c.host === SECONDARY_HOST)).toBe(true);
    expect(statusDuring.sts).toMatchObject({ regionInUse: "eu-central-1", failedOver: true });
    // Back on the primary once its breaker lets a probe through (within the doubled cool-down).
    const until = Date.now() + 10_000;
    while (refresher.status().sts?.regionInUse !== "eu-west-1" && Date.now() < until) {
      await refresher.refresh();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(refresher.status().sts).toMatchObject({ regionInUse: "eu-west-1", failedOver: false });
    expect(log.lines.some((l) => l.includes("STS failover: calls now go to https://sts.eu-central-1.amazonaws.com"))).toBe(true);
    expect(log.lines.some((l) => l.includes("STS recovered: calls are back on https://sts.eu-west-1.amazonaws.com"))).toBe(true);
  }, 30_000);

  it("a wrong ExternalId (AccessDenied) does not fail over", async () => {
    const error = await rejection(() => assumeRole({ externalId: "acme-wrong" })());
    expect(error.message).toContain("AccessDenied");
    expect(assumeRoleCalls(PRIMARY_HOST)).toBe(1);
    expect(assumeRoleCalls(SECONDARY_HOST)).toBe(0);
  });

  it("connections refused at the primary: the call is served by eu-central-1", async () => {
    const provider = assumeRole();
    regions.startOutage("refuse");
    const credentials = await provider();
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(provider.describe()).toMatchObject({ endpoint: `https://${SECONDARY_HOST}`, failedOver: true, failoverRegions: ["eu-central-1"] });
    expect(routing.servernames).toEqual([PRIMARY_HOST, SECONDARY_HOST]);
  });

  it("refuses a cross-partition list at construction, saying why", () => {
    expect(() => assumeRole({ failoverRegions: ["cn-north-1"] })).toThrow(
      "fromRegionalAssumeRole: the failoverRegions option lists cn-north-1, which is in partition aws-cn, but the primary region eu-west-1 is in aws.",
    );
  });
});

describe("createAssumeRoleCache", () => {
  it("takes failoverRegions too: with the primary hanging, every tenant's role is served from eu-central-1; status() and describe() say so", async () => {
    const cache = createAssumeRoleCache({ source: async () => keys, ...transport, clientConfig: { requestHandler: { httpsAgent: routing.agent } } });
    cleanups.push(() => cache.stop());
    regions.startOutage("hang");
    const provider = cache.provider({ roleArn: ROLE, externalId: "acme-7f3k9" });
    const credentials = await provider();
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(regions.secondary.sts.count("AssumeRole")).toBe(1);
    expect(cache.status().sts).toMatchObject({ regionInUse: "eu-central-1", failedOver: true });
    expect(cache.describe()).toMatchObject({ failoverRegions: ["eu-central-1"], failedOver: true, endpoint: `https://${SECONDARY_HOST}` });
    expect(cache.describe().endpoints.map((e) => [e.region, e.consecutiveFailures])).toEqual([
      ["eu-west-1", 1],
      ["eu-central-1", 0],
    ]);
  });

  it("Throttling at the primary slows the cache's budget and retries there: no failover, no breaker count", async () => {
    const cache = createAssumeRoleCache({ source: async () => keys, ...transport, clientConfig: { requestHandler: { httpsAgent: routing.agent } } });
    cleanups.push(() => cache.stop());
    regions.primary.sts.faults.failNext(1, { status: 400, code: "Throttling" });
    await cache.provider({ roleArn: ROLE, externalId: "acme-7f3k9" })();
    expect([regions.primary.sts.count("AssumeRole"), regions.secondary.sts.count("AssumeRole")]).toEqual([2, 0]);
    expect(cache.status()).toMatchObject({ throttled: 1, sts: { regionInUse: "eu-west-1", failedOver: false } });
    expect(cache.status().rate.currentPerSecond).toBeLessThan(cache.status().rate.targetPerSecond);
    expect(cache.describe().endpoints.map((e) => [e.region, e.breaker, e.consecutiveFailures])).toEqual([
      ["eu-west-1", "closed", 0],
      ["eu-central-1", "closed", 0],
    ]);
  });

  it("AWSCREDS_STS_FAILOVER_REGIONS of another partition is refused at construction", () => {
    expect(() => createAssumeRoleCache({ source: async () => keys, region: "us-east-1", env: { AWSCREDS_STS_FAILOVER_REGIONS: "us-west-2,us-gov-west-1" } })).toThrow(
      /^createAssumeRoleCache: AWSCREDS_STS_FAILOVER_REGIONS lists us-gov-west-1, which is in partition aws-us-gov/,
    );
  });
});
