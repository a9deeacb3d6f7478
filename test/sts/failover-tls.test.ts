/**
 * Regional STS failover end to end, over real TLS with the real regional hostnames: two fake STS, one per
 * region, each serving a certificate from a test CA; an agent resolves `sts.eu-west-1.amazonaws.com` and
 * `sts.eu-central-1.amazonaws.com` to 127.0.0.1 (custom `lookup`) and connects to that region's fake.
 * The primary (eu-west-1) then answers 503, hangs, or refuses connections for longer than the credentials
 * live, while a refresher serves callers.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRefresher, createSwapper, type Refresher } from "../../src/refresh/index.js";
import { fromEnvGatedChain } from "../../src/sources/chain.js";
import { fromRegionalWebIdentity, type RegionalWebIdentityOptions, type RegionalWebIdentityProvider } from "../../src/sources/web-identity.js";
import type { FakeAws } from "../../src/testing/index.js";
import { resolveUnderLoad, sleep, waitFor } from "../refresh/e2e-helpers.js";
import { isolateEnv, rejection } from "../sources/support/env.js";
import type { RoutingAgent } from "../sources/support/tls.js";
import { captureLog, FIPS_PRIMARY_HOST, FIPS_SECONDARY_HOST, PRIMARY_HOST as PRIMARY, SECONDARY_HOST as SECONDARY, startTwoRegions, type TwoRegions } from "./support/two-regions.js";

const LIFETIME_S = 3;
const ROLE = "arn:aws:iam::123456789012:role/orders";

let regions: TwoRegions;
let primary: FakeAws;
let secondary: FakeAws;
let tokenFile: string;
let routing: RoutingAgent;
let restoreEnv: () => void;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  regions = await startTwoRegions({ credentialLifetimeSeconds: LIFETIME_S });
  ({ primary, secondary } = regions);
  tokenFile = await primary.writeWebIdentityToken();
});

afterAll(async () => {
  await regions.close();
});

beforeEach(() => {
  restoreEnv = isolateEnv();
  regions.endOutage();
  secondary.sts.faults.restore();
  primary.sts.clearCalls();
  secondary.sts.clearCalls();
  routing = regions.routing();
});

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  regions.endOutage();
  routing.agent.destroy();
  restoreEnv();
});

type Captured = ReturnType<typeof captureLog>;
const capture = captureLog;

function webIdentity(options: Partial<RegionalWebIdentityOptions> = {}): RegionalWebIdentityProvider {
  const p = fromRegionalWebIdentity({
    env: { AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_REGION: "eu-west-1" },
    failoverRegions: ["eu-central-1"],
    failoverCooldownMs: 1_000,
    connectionTimeoutMs: 300,
    requestTimeoutMs: 300,
    retry: { baseDelayMs: 20, maxDelayMs: 100 },
    clientConfig: { requestHandler: { httpsAgent: routing.agent } },
    ...options,
  });
  cleanups.push(() => p.destroy());
  return p;
}

function refresher(source: RegionalWebIdentityProvider, logger: Captured["logger"]): Refresher {
  const r = createRefresher(source, { logger, backoff: { initialDelayMs: 100, maxDelayMs: 400 } });
  cleanups.push(() => r.stop());
  return r;
}

const callsTo = (fake: FakeAws, from: number, to = Number.POSITIVE_INFINITY): number =>
  fake.sts.calls.filter((c) => c.action === "AssumeRoleWithWebIdentity" && c.time >= from && c.time < to).length;

const startOutage = (kind: "503" | "hang" | "refuse"): void => regions.startOutage(kind);
const endOutage = (): void => regions.endOutage();

describe("primary regional STS down for longer than the credentials live", () => {
  for (const kind of ["503", "hang", "refuse"] as const) {
    it(`${kind}: no resolution fails, the dead primary gets few calls, calls return to it after recovery`, async () => {
      const log = capture();
      const source = webIdentity({ logger: log.logger });
      const credentials = refresher(source, log.logger);
      await credentials.ready;
      expect(credentials.status().sts?.endpointInUse).toBe(`https://${PRIMARY}/`.replace(/\/$/, ""));
      const primaryConnectionsBefore = routing.servernames.filter((h) => h === PRIMARY).length;

      const outageMs = 2.5 * LIFETIME_S * 1_000;
      const from = Date.now();
      startOutage(kind);
      const during = await resolveUnderLoad([() => credentials()], outageMs, 4, 20);
      const statusDuring = credentials.status();
      // The breaker is what keeps a dead primary quiet: 10 more fetches skip it (at most one probes it).
      const primaryAttemptsNow = (): number => (kind === "refuse" ? routing.servernames.filter((h) => h === PRIMARY).length : callsTo(primary, from));
      const beforeDirect = primaryAttemptsNow();
      for (let i = 0; i < 10; i++) await source();
      expect(primaryAttemptsNow() - beforeDirect).toBeLessThanOrEqual(1);
      endOutage();
      const to = Date.now();

      // Every resolution during the outage got credentials that were still valid when it got them.
      const failed = during.filter((r) => r.error !== undefined);
      expect(failed.map((r) => String(r.error))).toEqual([]);
      expect(during.length).toBeGreaterThan(100);
      for (const r of during) expect(r.credentials!.expiration!.getTime()).toBeGreaterThan(r.endedAt);
      // ...and the outage outlived the credentials held when it began: new ones came from eu-central-1.
      expect(secondary.sts.issued.filter((i) => i.issuedAt >= from && i.issuedAt < to).length).toBeGreaterThanOrEqual(2);
      expect(statusDuring.sts).toMatchObject({ regionInUse: "eu-central-1", endpointInUse: `https://${SECONDARY}`, failedOver: true });

      // The dead primary: the breaker's threshold, then one probe per cool-down (1 s, 2 s, 4 s…).
      const primaryAttempts = kind === "refuse" ? routing.servernames.filter((h) => h === PRIMARY).length - primaryConnectionsBefore : callsTo(primary, from, to);
      if (process.env.FAILOVER_TEST_REPORT) console.log(`${kind}: ${during.length} resolutions, ${failed.length} failed, ${primaryAttempts} primary attempts`);
      expect(primaryAttempts).toBeGreaterThanOrEqual(1);
      expect(primaryAttempts).toBeLessThanOrEqual(7);

      // Recovery: calls go back to the primary once its breaker lets a probe through and it answers.
      const back = await waitFor(() => credentials.status().sts?.regionInUse === "eu-west-1", 12_000);
      expect(back).toBe(true);
      const issuedBefore = primary.sts.issued.length;
      await credentials.refresh();
      expect(primary.sts.issued.length).toBe(issuedBefore + 1);
      const sts = credentials.status().sts!;
      expect(sts).toMatchObject({ regionInUse: "eu-west-1", failedOver: false });
      expect(sts.endpoints.map((e) => [e.region, e.role, e.breaker])).toEqual([
        ["eu-west-1", "primary", "closed"],
        ["eu-central-1", "failover", "closed"],
      ]);

      // One log line on the failover, one on the recovery.
      const failovers = log.lines.filter((l) => l.includes("STS failover: calls now go to https://sts.eu-central-1.amazonaws.com (eu-central-1)"));
      const recoveries = log.lines.filter((l) => l.includes("STS recovered: calls are back on https://sts.eu-west-1.amazonaws.com (primary region eu-west-1)"));
      expect(failovers).toHaveLength(1);
      expect(recoveries).toHaveLength(1);
      expect(log.lines.join("\n")).not.toMatch(/eyJ/); // no token in the logs
    }, 40_000);
  }

  it("without failover regions, the same outage fails resolutions once the credentials expire (so the test above is real)", async () => {
    const log = capture();
    const credentials = refresher(webIdentity({ failoverRegions: [], logger: log.logger }), log.logger);
    await credentials.ready;
    startOutage("503");
    const during = await resolveUnderLoad([() => credentials()], 1.5 * LIFETIME_S * 1_000, 4, 20);
    endOutage();
    expect(during.filter((r) => r.error !== undefined).length).toBeGreaterThan(10);
    expect(secondary.sts.count("AssumeRoleWithWebIdentity")).toBe(0);
  }, 30_000);
});

describe("every region down", () => {
  it("the error names every endpoint tried, and each region got one try per round", async () => {
    startOutage("503");
    secondary.sts.faults.failNext(Number.POSITIVE_INFINITY, { status: 500, code: "InternalFailure" });
    try {
      // Its own session name: an attempt of the previous test's refresher still on the wire when it was
      // stopped may reach the primary during this test, and must not be counted as one of these.
      const roleSessionName = "every-region-down";
      const error = await rejection(() => webIdentity({ roleSessionName, retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 } })());
      expect(error.message).toContain(`AssumeRoleWithWebIdentity for ${ROLE} at https://${SECONDARY} (also tried https://${PRIMARY}) failed after 4 attempts: InternalFailure`);
      const tries = (fake: FakeAws): number =>
        fake.sts.calls.filter((c) => c.action === "AssumeRoleWithWebIdentity" && c.details.roleSessionName === roleSessionName).length;
      expect(tries(primary)).toBe(2);
      expect(tries(secondary)).toBe(2);
    } finally {
      secondary.sts.faults.restore();
    }
  });
});

describe("what does not fail over", () => {
  it("AccessDenied from the primary is the answer: no call to the failover region, and the error says so", async () => {
    primary.sts.faults.failNext(Number.POSITIVE_INFINITY, { status: 403, code: "AccessDenied", message: "Not authorized to perform sts:AssumeRoleWithWebIdentity" });
    const error = await rejection(() => webIdentity()());
    expect(error.message).toContain(`AssumeRoleWithWebIdentity for ${ROLE} at https://${PRIMARY} failed after 1 attempt: AccessDenied`);
    expect(secondary.sts.count()).toBe(0);
    expect(routing.servernames).not.toContain(SECONDARY);
  });

  for (const code of ["InvalidIdentityToken", "ExpiredToken", "ValidationError"]) {
    it(`${code} does not fail over either`, async () => {
      primary.sts.faults.failNext(Number.POSITIVE_INFINITY, { status: 400, code, message: `${code} (test)` });
      const p = webIdentity();
      await rejection(() => p());
      expect(secondary.sts.count()).toBe(0);
      // And it does not count against the primary: the endpoint answered.
      expect(p.stsStatus()!.endpoints[0]).toMatchObject({ breaker: "closed", consecutiveFailures: 0 });
    });
  }

  it("a single 503 fails over for that call only: the next call goes to the primary again (breaker still closed)", async () => {
    primary.sts.faults.failNext(1, { status: 503, code: "ServiceUnavailable" });
    const p = webIdentity();
    await p();
    expect(secondary.sts.count("AssumeRoleWithWebIdentity")).toBe(1);
    await p();
    expect(primary.sts.count("AssumeRoleWithWebIdentity")).toBe(2);
    expect(secondary.sts.count("AssumeRoleWithWebIdentity")).toBe(1);
  });
});

describe("configuration", () => {
  it("refuses a cross-partition list at construction, saying why", () => {
    expect(() => webIdentity({ failoverRegions: ["eu-central-1", "cn-north-1"] })).toThrow(
      "awscreds: Web identity: the failoverRegions option lists cn-north-1, which is in partition aws-cn, but the primary region eu-west-1 is in aws.",
    );
    expect(() =>
      fromEnvGatedChain({
        env: { APP_ENV: "production", AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_REGION: "us-east-1", AWSCREDS_STS_FAILOVER_REGIONS: "us-west-2,us-gov-west-1" },
      }),
    ).toThrow(/AWSCREDS_STS_FAILOVER_REGIONS lists us-gov-west-1, which is in partition aws-us-gov, but the primary region us-east-1 is in aws/);
  });

  it("AWSCREDS_STS_FAILOVER_REGIONS turns failover on without code, through the env-gated chain", async () => {
    const log = capture();
    const chain = fromEnvGatedChain({
      env: { APP_ENV: "production", AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_REGION: "eu-west-1", AWSCREDS_STS_FAILOVER_REGIONS: "eu-central-1" },
      logger: log.logger,
      webIdentity: { failoverCooldownMs: 1_000, requestTimeoutMs: 300, clientConfig: { requestHandler: { httpsAgent: routing.agent } } },
    });
    cleanups.push(() => chain.destroy());
    startOutage("503");
    const credentials = await chain();
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(secondary.sts.count("AssumeRoleWithWebIdentity")).toBe(1);
    expect(chain.stsStatus()).toMatchObject({ regionInUse: "eu-central-1", failedOver: true });
    const details = chain.describe().sources.find((s) => s.source === "web-identity")!.details!;
    expect(details.endpoint).toBe(`https://${SECONDARY}`);
    expect(details.failoverRegions).toBe("eu-central-1");
    expect(details.stsBreakers).toBe("eu-west-1 (primary) closed after 1 failure; eu-central-1 closed");
  });

  it("the failoverRegions option takes precedence; [] turns the variable's failover off", async () => {
    const p = webIdentity({ failoverRegions: [], env: { AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_REGION: "eu-west-1", AWSCREDS_STS_FAILOVER_REGIONS: "eu-central-1" } });
    expect(p.describe().failoverRegions).toEqual([]);
    startOutage("503");
    await rejection(() => p());
    expect(secondary.sts.count()).toBe(0);
  });

  it("`endpoint` as a function of the region: each region's endpoint is the function's (a VPC endpoint per region)", async () => {
    const asked: string[] = [];
    const p = webIdentity({
      endpoint: (region) => {
        asked.push(region);
        // Plays a VPC endpoint: a different hostname per region, still served by that region's fake.
        return region === "eu-central-1" ? `https://${SECONDARY}/` : undefined;
      },
    });
    startOutage("503");
    await p();
    expect(asked).toEqual(["eu-west-1", "eu-central-1"]);
    expect(p.describe()).toMatchObject({ endpoint: `https://${SECONDARY}/`, failedOver: true, failoverRegions: ["eu-central-1"] });
    expect(p.describe().endpoints!.map((e) => e.endpoint)).toEqual([`https://${PRIMARY}`, `https://${SECONDARY}/`]);
  });

  it("FIPS applies to every region: the failover goes to sts-fips.eu-central-1.amazonaws.com", async () => {
    const p = webIdentity({ useFipsEndpoint: true });
    startOutage("503");
    await p();
    expect(routing.servernames).toEqual([FIPS_PRIMARY_HOST, FIPS_SECONDARY_HOST]);
    expect(p.describe().endpoints!.map((e) => e.endpoint)).toEqual([`https://${FIPS_PRIMARY_HOST}`, `https://${FIPS_SECONDARY_HOST}`]);
  });

  it("describe() before any call lists the endpoints and their breakers; the regional URLs appear once resolved", () => {
    const p = webIdentity();
    const d = p.describe();
    expect(d.failoverRegions).toEqual(["eu-central-1"]);
    expect(d.from).toMatchObject({ failoverRegions: "the failoverRegions option" });
    expect(d.endpoints).toEqual([
      { region: "eu-west-1", endpoint: undefined, role: "primary", breaker: "closed", consecutiveFailures: 0 },
      { region: "eu-central-1", endpoint: undefined, role: "failover", breaker: "closed", consecutiveFailures: 0 },
    ]);
    expect(JSON.parse(JSON.stringify(d))).toMatchObject({ failedOver: false });
  });
});

describe("status() of the refreshing faces", () => {
  it("a swapper's status().sts is its current provider's; a source without STS adds none", async () => {
    const swapper = createSwapper(() => webIdentity());
    cleanups.push(() => swapper.stop());
    await swapper.ready;
    expect(swapper.status().sts).toMatchObject({ regionInUse: "eu-west-1", failedOver: false, endpoints: [{ region: "eu-west-1" }, { region: "eu-central-1" }] });
    const plain = createRefresher(async () => ({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "not-a-real-secret" }));
    cleanups.push(() => plain.stop());
    await plain.ready;
    expect(plain.status()).not.toHaveProperty("sts");
  });
});

describe("keep-alive per endpoint", () => {
  it("builds the failover region's client only when first needed, and reuses each connection", async () => {
    const p = webIdentity();
    await p();
    await p();
    expect(routing.servernames).toEqual([PRIMARY]);
    startOutage("503");
    await p();
    await p();
    expect(routing.servernames).toEqual([PRIMARY, SECONDARY]);
    await sleep(0);
  });
});
