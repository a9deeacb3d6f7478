/**
 * Telemetry wired into the public faces, with the OpenTelemetry SDK's own metric reader and span exporter
 * and the real SDK clients against the fakes: a refresh, a failed refresh and the degraded resolutions
 * after it, a swapper, a regional failover (two fakes over TLS with the real hostnames), role-cache
 * traffic (hit, miss, coalesced, negative, eviction), the global providers, and `telemetry: false`.
 */
import { metrics, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createAssumeRoleCache,
  createRefresher,
  createSwapper,
  fromEnvGatedChain,
  fromRegionalAssumeRole,
  fromRegionalWebIdentity,
  type AssumeRoleCacheOptions,
  type RegionalWebIdentityOptions,
  type TelemetryOption,
} from "../../src/index.js";
import { METRIC } from "../../src/telemetry/names.js";
import { startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { registerTenants, serviceKeys, tenantRole } from "../roles/support.js";
import { isolateEnv } from "../sources/support/env.js";
import { PRIMARY_HOST, SECONDARY_HOST, startTwoRegions, type TwoRegions } from "../sts/support/two-regions.js";
import { histogramCount, otelEachTest, point, points, startOtel } from "./support.js";

const ROLE = "arn:aws:iam::123456789012:role/orders";
const LIFETIME_S = 900;

let fake: FakeAws;
let tokenFile: string;
let restoreEnv: () => void;
const cleanups: (() => void)[] = [];
// Registered before this file's own hooks, so its afterEach runs after theirs (the providers are stopped first).
const otel = otelEachTest();
const providers = otel.providers;

beforeAll(async () => {
  fake = await startFakeAws({ region: "eu-west-1", sts: { credentialLifetimeSeconds: LIFETIME_S } });
  tokenFile = await fake.writeWebIdentityToken();
  registerTenants(fake, 5);
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  restoreEnv = isolateEnv();
  fake.sts.faults.restore();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  restoreEnv();
});

function webIdentity(options: Partial<RegionalWebIdentityOptions> = {}) {
  const p = fromRegionalWebIdentity({
    env: { AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_REGION: "eu-west-1" },
    endpoint: fake.sts.endpoint,
    retry: { maxAttempts: 1 },
    ...options,
  });
  cleanups.push(() => p.destroy());
  return p;
}

function track<T extends { stop(): void }>(stoppable: T): T {
  cleanups.push(() => stoppable.stop());
  return stoppable;
}

const throttleNext = (n = 1): void =>
  fake.sts.faults.failNext(n, { status: 400, code: "Throttling", message: "Rate exceeded" }, { action: "AssumeRoleWithWebIdentity" });

const awscredsMetricNames = (m: Map<string, unknown>): string[] => [...m.keys()].filter((n) => n.startsWith("awscreds.") || n.startsWith("messaging."));

describe("refresher around fromRegionalWebIdentity", () => {
  it("a refresh: duration with provider, source, reason and outcome; STS request by endpoint; CLIENT span under the refresh span with the request id; TTL from the credentials held", async () => {
    const credentials = track(createRefresher(webIdentity({ telemetry: providers() }), { name: "orders", telemetry: providers() }));
    await credentials.ready;

    const m = await otel.metrics();
    const base = { "awscreds.provider": "orders", "awscreds.source": "web-identity" };
    expect(histogramCount(point(m, METRIC.refreshDuration, { ...base, "awscreds.refresh.reason": "initial", outcome: "success" }))).toBe(1);
    expect(point(m, METRIC.stsRequests, { "rpc.method": "AssumeRoleWithWebIdentity", "server.address": "127.0.0.1", outcome: "success" })?.value).toBe(1);
    const ttl = point(m, METRIC.ttl, base)?.value as number;
    const expected = (credentials.status().expiration!.getTime() - Date.now()) / 1000;
    expect(ttl).toBeGreaterThan(LIFETIME_S - 60);
    expect(Math.abs(ttl - expected)).toBeLessThan(5);
    // Nothing degraded yet: the series exists at 0.
    expect(point(m, METRIC.staleServed, base)?.value).toBe(0);

    const spans = otel.spans();
    const refresh = spans.find((s) => s.name === "awscreds refresh")!;
    const client = spans.find((s) => s.name === "STS/AssumeRoleWithWebIdentity")!;
    expect(refresh.kind).toBe(SpanKind.INTERNAL);
    expect(refresh.attributes).toEqual({ ...base, "awscreds.refresh.reason": "initial", outcome: "success" });
    expect(client.kind).toBe(SpanKind.CLIENT);
    expect(client.parentSpanContext?.spanId).toBe(refresh.spanContext().spanId);
    expect(client.attributes).toMatchObject({ "rpc.system": "aws-api", "rpc.service": "STS", "rpc.method": "AssumeRoleWithWebIdentity", "server.address": "127.0.0.1" });
    expect(client.attributes["aws.request_id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("a failed refresh: failure with error.type (the STS code, never a message), ERROR spans; resolutions served while degraded are counted, and only those", async () => {
    const credentials = track(createRefresher(webIdentity({ telemetry: providers() }), { name: "orders-fail", telemetry: providers() }));
    await credentials.ready;
    for (let i = 0; i < 3; i++) await credentials(); // healthy: not counted
    throttleNext();
    await expect(credentials.refresh()).rejects.toThrow(/Throttling/);
    expect(credentials.status().state).toBe("degraded");
    for (let i = 0; i < 7; i++) await credentials();

    const m = await otel.metrics();
    const base = { "awscreds.provider": "orders-fail", "awscreds.source": "web-identity" };
    expect(histogramCount(point(m, METRIC.refreshDuration, { ...base, "awscreds.refresh.reason": "forced", outcome: "failure", "error.type": "Throttling" }))).toBe(1);
    expect(point(m, METRIC.stsRequests, { "rpc.method": "AssumeRoleWithWebIdentity", "server.address": "127.0.0.1", outcome: "failure", "error.type": "Throttling" })?.value).toBe(1);
    expect(point(m, METRIC.staleServed, base)?.value).toBe(7);

    const failed = otel.spans().filter((s) => s.status.code === SpanStatusCode.ERROR);
    expect(failed.map((s) => s.name).sort()).toEqual(["STS/AssumeRoleWithWebIdentity", "awscreds refresh"]);
    for (const span of failed) {
      expect(span.attributes["error.type"]).toBe("Throttling");
      expect(span.status.message).toBe("Throttling");
      expect(span.events).toEqual([]);
    }
  });

  it("an attempt that returns unusable credentials is a failed attempt in telemetry too", async () => {
    const expired = async () => ({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret", expiration: new Date(Date.now() - 1_000) });
    const credentials = track(createRefresher(expired, { name: "expired", telemetry: providers() }));
    await expect(credentials.ready).rejects.toThrow(/already expired/);
    const m = await otel.metrics();
    expect(histogramCount(point(m, METRIC.refreshDuration, { "awscreds.provider": "expired", "awscreds.source": "custom", "awscreds.refresh.reason": "initial", outcome: "failure", "error.type": "Error" }))).toBe(1);
  });

  it("a chain reports the source it settled on; stop() ends the TTL gauge", async () => {
    const chain = fromEnvGatedChain({
      appEnv: "production",
      env: { AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_REGION: "eu-west-1" },
      webIdentity: { endpoint: fake.sts.endpoint },
      telemetry: providers(),
    });
    cleanups.push(() => chain.destroy());
    const credentials = track(createRefresher(chain, { name: "chained", telemetry: providers() }));
    await credentials.ready;
    await credentials.refresh();
    const m = await otel.metrics();
    // The first attempt ran before the chain chose; the next one says what it chose.
    expect(histogramCount(point(m, METRIC.refreshDuration, { "awscreds.provider": "chained", "awscreds.source": "chain", "awscreds.refresh.reason": "initial", outcome: "success" }))).toBe(1);
    expect(histogramCount(point(m, METRIC.refreshDuration, { "awscreds.provider": "chained", "awscreds.source": "web-identity", "awscreds.refresh.reason": "forced", outcome: "success" }))).toBe(1);
    expect(point(m, METRIC.stsRequests, { "rpc.method": "AssumeRoleWithWebIdentity", "server.address": "127.0.0.1", outcome: "success" })?.value).toBe(2);

    const delta = startOtel({ temporality: "delta" });
    try {
      const onDelta = track(createRefresher(chain, { name: "chained-stop", telemetry: { meterProvider: delta.meterProvider } }));
      await onDelta.ready;
      expect(point(await delta.metrics(), METRIC.ttl, { "awscreds.provider": "chained-stop", "awscreds.source": "web-identity" })).toBeDefined();
      onDelta.stop();
      expect(points(await delta.metrics(), METRIC.ttl).filter((p) => p.attributes["awscreds.provider"] === "chained-stop")).toEqual([]);
    } finally {
      await delta.shutdown();
    }
  });

  it("a swapper: its refreshes, with the kind of provider it built", async () => {
    const swapper = track(createSwapper(() => webIdentity({ telemetry: providers() }), { name: "swapped", telemetry: providers() }));
    await swapper.ready;
    await swapper.swap();
    const m = await otel.metrics();
    expect(histogramCount(point(m, METRIC.refreshDuration, { "awscreds.provider": "swapped", "awscreds.source": "custom", "awscreds.refresh.reason": "initial", outcome: "success" }))).toBe(1);
    expect(histogramCount(point(m, METRIC.refreshDuration, { "awscreds.provider": "swapped", "awscreds.source": "web-identity", "awscreds.refresh.reason": "forced", outcome: "success" }))).toBe(1);
    expect(point(m, METRIC.ttl, { "awscreds.provider": "swapped", "awscreds.source": "web-identity" })).toBeDefined();
  });
});

describe("regional failover", () => {
  let regions: TwoRegions;
  let secondaryToken: string;
  beforeAll(async () => {
    regions = await startTwoRegions();
    secondaryToken = await regions.primary.writeWebIdentityToken();
  });
  afterAll(async () => {
    await regions.close();
  });
  afterEach(() => regions.endOutage());

  it("the primary answers 503: awscreds.sts.failovers names both endpoints, requests are counted per endpoint, both CLIENT spans sit under the refresh span", async () => {
    const routing = regions.routing();
    cleanups.push(() => routing.agent.destroy());
    const source = fromRegionalWebIdentity({
      env: { AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: secondaryToken, AWS_REGION: "eu-west-1" },
      failoverRegions: ["eu-central-1"],
      retry: { maxAttempts: 1 },
      clientConfig: { requestHandler: { httpsAgent: routing.agent } },
      telemetry: providers(),
    });
    cleanups.push(() => source.destroy());
    const credentials = track(createRefresher(source, { name: "failing-over", telemetry: providers() }));
    await credentials.ready;
    regions.startOutage("503");
    await credentials.refresh();
    expect(credentials.status().sts?.failedOver).toBe(true);

    const m = await otel.metrics();
    expect(points(m, METRIC.stsFailovers).map((p) => [p.attributes, p.value])).toEqual([
      [{ "server.address": SECONDARY_HOST, "awscreds.sts.failed_address": PRIMARY_HOST }, 1],
    ]);
    const method = "AssumeRoleWithWebIdentity";
    expect(point(m, METRIC.stsRequests, { "rpc.method": method, "server.address": PRIMARY_HOST, outcome: "success" })?.value).toBe(1);
    expect(point(m, METRIC.stsRequests, { "rpc.method": method, "server.address": PRIMARY_HOST, outcome: "failure", "error.type": "ServiceUnavailable" })?.value).toBe(1);
    expect(point(m, METRIC.stsRequests, { "rpc.method": method, "server.address": SECONDARY_HOST, outcome: "success" })?.value).toBe(1);

    const spans = otel.spans();
    const forced = spans.find((s) => s.name === "awscreds refresh" && s.attributes["awscreds.refresh.reason"] === "forced")!;
    expect(forced.attributes.outcome).toBe("success");
    const children = spans.filter((s) => s.parentSpanContext?.spanId === forced.spanContext().spanId);
    expect(children.map((s) => [s.kind, s.attributes["server.address"], s.status.code])).toEqual([
      [SpanKind.CLIENT, PRIMARY_HOST, SpanStatusCode.ERROR],
      [SpanKind.CLIENT, SECONDARY_HOST, SpanStatusCode.UNSET],
    ]);
  });
});

describe("assume-role cache", () => {
  let keys: ReturnType<typeof serviceKeys>;
  beforeAll(() => {
    keys = serviceKeys(fake);
  });
  const cache = (options: Partial<AssumeRoleCacheOptions> = {}) =>
    track(createAssumeRoleCache({ source: async () => keys, region: fake.region, endpoint: fake.sts.endpoint, serviceName: "billing-api", telemetry: providers(), ...options }));

  it("hit, miss, coalesced and negative lookups, evictions and size, read when collected; the entries' fetches as refreshes with STS requests under them", async () => {
    const roles = cache({ name: "tenants", maxEntries: 2, negativeTtlMs: 60_000 });
    fake.sts.faults.setLatency(50);
    const one = roles.provider(tenantRole(1));
    await Promise.all(Array.from({ length: 20 }, () => one()));
    fake.sts.faults.setLatency(0);
    for (let i = 0; i < 5; i++) await one();
    const wrong = roles.provider({ ...tenantRole(2), externalId: "not-the-right-one" });
    await expect(wrong()).rejects.toThrow(/AccessDenied|ExternalId/);
    await expect(wrong()).rejects.toThrow();
    await expect(wrong()).rejects.toThrow();

    let m = await otel.metrics();
    const name = { "awscreds.provider": "tenants" };
    const requests = (result: string) => point(m, METRIC.roleCacheRequests, { ...name, result })?.value;
    expect([requests("miss"), requests("coalesced"), requests("hit"), requests("negative")]).toEqual([2, 19, 5, 2]);
    expect(point(m, METRIC.roleCacheSize, name)?.value).toBe(2);
    expect(points(m, METRIC.roleCacheEvictions)).toEqual([]);

    roles.provider(tenantRole(3)); // a third role past maxEntries: the least recently used goes
    m = await otel.metrics();
    expect(point(m, METRIC.roleCacheEvictions, name)?.value).toBe(1);
    expect(point(m, METRIC.roleCacheSize, name)?.value).toBe(2);

    const base = { "awscreds.provider": "tenants", "awscreds.source": "assume-role", "awscreds.refresh.reason": "demand" };
    expect(histogramCount(point(m, METRIC.refreshDuration, { ...base, outcome: "success" }))).toBe(1);
    expect(histogramCount(point(m, METRIC.refreshDuration, { ...base, outcome: "failure", "error.type": "AccessDenied" }))).toBe(1);
    expect(point(m, METRIC.stsRequests, { "rpc.method": "AssumeRole", "server.address": "127.0.0.1", outcome: "success" })?.value).toBe(1);
    expect(point(m, METRIC.stsRequests, { "rpc.method": "AssumeRole", "server.address": "127.0.0.1", outcome: "failure", "error.type": "AccessDenied" })?.value).toBe(1);
    expect(point(m, METRIC.ttl, { "awscreds.provider": "tenants", "awscreds.source": "assume-role" })?.value).toBeGreaterThan(0);
    const spans = otel.spans();
    const refreshes = spans.filter((s) => s.name === "awscreds refresh");
    expect(refreshes).toHaveLength(2);
    for (const client of spans.filter((s) => s.name === "STS/AssumeRole")) {
      expect(refreshes.map((r) => r.spanContext().spanId)).toContain(client.parentSpanContext?.spanId);
    }
  });

  it("fromRegionalAssumeRole behind a refresher: source assume-role, AssumeRole requests, its CLIENT span under the refresh span", async () => {
    const role = fromRegionalAssumeRole({ ...tenantRole(3), source: async () => keys, region: fake.region, endpoint: fake.sts.endpoint, telemetry: providers() });
    cleanups.push(() => role.destroy());
    const credentials = track(createRefresher(role, { name: "tenant-3", telemetry: providers() }));
    await credentials.ready;
    const m = await otel.metrics();
    expect(histogramCount(point(m, METRIC.refreshDuration, { "awscreds.provider": "tenant-3", "awscreds.source": "assume-role", "awscreds.refresh.reason": "initial", outcome: "success" }))).toBe(1);
    expect(point(m, METRIC.stsRequests, { "rpc.method": "AssumeRole", "server.address": "127.0.0.1", outcome: "success" })?.value).toBe(1);
    const spans = otel.spans();
    const refresh = spans.find((s) => s.name === "awscreds refresh")!;
    expect(spans.find((s) => s.name === "STS/AssumeRole")?.parentSpanContext?.spanId).toBe(refresh.spanContext().spanId);
  });

  it("stop() ends the size gauge; counts already made stay", async () => {
    const roles = cache({ name: "stopping" });
    await roles.provider(tenantRole(4))();
    roles.stop();
    const m = await otel.metrics();
    expect(point(m, METRIC.roleCacheRequests, { "awscreds.provider": "stopping", result: "miss" })?.value).toBe(1);
    expect(point(m, METRIC.roleCacheSize, { "awscreds.provider": "stopping" })).toBeUndefined();
  });
});

describe("global providers, and telemetry: false", () => {
  beforeEach(() => {
    metrics.setGlobalMeterProvider(otel.meterProvider);
    trace.setGlobalTracerProvider(otel.tracerProvider);
  });

  async function exercise(telemetry: TelemetryOption | undefined, name: string): Promise<void> {
    const options = telemetry === undefined ? {} : { telemetry };
    const credentials = track(createRefresher(webIdentity(options), { name, ...options }));
    await credentials.ready;
    throttleNext();
    await credentials.refresh().catch(() => undefined);
    await credentials();
    const roles = cache(name, options);
    await roles.provider(tenantRole(0))();
  }
  const cache = (name: string, options: { telemetry?: TelemetryOption }) =>
    track(createAssumeRoleCache({ source: async () => serviceKeys(fake), region: fake.region, endpoint: fake.sts.endpoint, name, maxEntries: 1, ...options }));

  it("without the option, everything reports to the global providers", async () => {
    await exercise(undefined, "global");
    const m = await otel.metrics();
    expect(awscredsMetricNames(m).sort()).toEqual(
      [METRIC.refreshDuration, METRIC.ttl, METRIC.staleServed, METRIC.stsRequests, METRIC.roleCacheSize, METRIC.roleCacheRequests].sort(),
    );
    expect(point(m, METRIC.staleServed, { "awscreds.provider": "global", "awscreds.source": "web-identity" })?.value).toBe(1);
    expect(otel.spans().length).toBeGreaterThan(0);
  });

  it("telemetry: false records nothing, with global providers registered", async () => {
    await exercise(false, "off");
    const m = await otel.metrics();
    expect(awscredsMetricNames(m)).toEqual([]);
    expect(otel.spans()).toEqual([]);
  });
});
