/**
 * Every named instrument, with the OpenTelemetry SDK's own metric reader and span exporter: refreshes
 * (success and failure) around real STS calls to the fake, time to expiry, stale resolutions, STS
 * requests and failovers, role-cache traffic; global providers, late registration, `telemetry: false`.
 */
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { metrics, trace, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { DataPointType } from "@opentelemetry/sdk-metrics";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { credentialsTelemetry, withRefreshTelemetry } from "../../src/telemetry/credentials.js";
import { METRIC } from "../../src/telemetry/names.js";
import { roleCacheTelemetry, ROLE_CACHE_RESULTS } from "../../src/telemetry/role-cache.js";
import { stsTelemetry, withStsTelemetry, type StsTelemetry } from "../../src/telemetry/sts.js";
import { makeFakeWebIdentityToken, startFakeAws, type FakeAws } from "../../src/testing/index.js";
import { histogramCount, otelEachTest, point, points } from "./support.js";

const ROLE_ARN = "arn:aws:iam::210987654321:role/shop/orders";

let fake: FakeAws;
let sts: STSClient;
const otel = otelEachTest();

beforeAll(async () => {
  fake = await startFakeAws({ region: "eu-west-1" });
  sts = new STSClient({ region: "eu-west-1", endpoint: fake.sts.endpoint, maxAttempts: 1, credentials: { accessKeyId: "unused", secretAccessKey: "unused" } });
});
afterAll(async () => {
  sts.destroy();
  await fake.close();
});
beforeEach(() => {
  fake.sts.faults.restore();
});

const assume = (telemetry: StsTelemetry | undefined) =>
  withStsTelemetry(telemetry, "AssumeRoleWithWebIdentity", "127.0.0.1", () =>
    sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: ROLE_ARN, RoleSessionName: "orders", WebIdentityToken: makeFakeWebIdentityToken() })),
  );

describe("refresh telemetry", () => {
  it("a successful refresh: one histogram point with provider, source, reason and outcome; an INTERNAL span with the STS CLIENT span as its child", async () => {
    const providers = { meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider };
    const telemetry = credentialsTelemetry(providers, { provider: "orders", source: "web-identity" });
    const stsT = stsTelemetry(providers);
    const output = await withRefreshTelemetry(telemetry, "initial", () => assume(stsT));

    const m = await otel.metrics();
    const refresh = point(m, METRIC.refreshDuration, {
      "awscreds.provider": "orders",
      "awscreds.source": "web-identity",
      "awscreds.refresh.reason": "initial",
      outcome: "success",
    });
    expect(m.get(METRIC.refreshDuration)?.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(m.get(METRIC.refreshDuration)?.descriptor.unit).toBe("s");
    expect(histogramCount(refresh)).toBe(1);
    expect(point(m, METRIC.stsRequests, { "rpc.method": "AssumeRoleWithWebIdentity", "server.address": "127.0.0.1", outcome: "success" })?.value).toBe(1);

    const spans = otel.spans();
    const refreshSpan = spans.find((s) => s.name === "awscreds refresh")!;
    const stsSpan = spans.find((s) => s.name === "STS/AssumeRoleWithWebIdentity")!;
    expect(refreshSpan.kind).toBe(SpanKind.INTERNAL);
    expect(refreshSpan.attributes).toEqual({
      "awscreds.provider": "orders",
      "awscreds.source": "web-identity",
      "awscreds.refresh.reason": "initial",
      outcome: "success",
    });
    expect(stsSpan.kind).toBe(SpanKind.CLIENT);
    expect(stsSpan.parentSpanContext?.spanId).toBe(refreshSpan.spanContext().spanId);
    expect(stsSpan.spanContext().traceId).toBe(refreshSpan.spanContext().traceId);
    expect(stsSpan.attributes).toEqual({
      "rpc.system": "aws-api",
      "rpc.service": "STS",
      "rpc.method": "AssumeRoleWithWebIdentity",
      "server.address": "127.0.0.1",
      "aws.request_id": output.$metadata.requestId,
    });
    expect(output.$metadata.requestId).toMatch(/\S/);
  });

  it("a failed refresh: outcome failure with error.type, ERROR status, the same error rethrown", async () => {
    const providers = { meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider };
    const telemetry = credentialsTelemetry(providers, { provider: "orders", source: "web-identity" });
    const stsT = stsTelemetry(providers);
    fake.sts.faults.failNext(1, { status: 400, code: "Throttling", message: "Rate exceeded" });
    let caught: unknown;
    await withRefreshTelemetry(telemetry, "scheduled", () => assume(stsT)).catch((error: unknown) => (caught = error));
    expect((caught as Error).name).toBe("Throttling");

    const m = await otel.metrics();
    expect(
      histogramCount(
        point(m, METRIC.refreshDuration, {
          "awscreds.provider": "orders",
          "awscreds.source": "web-identity",
          "awscreds.refresh.reason": "scheduled",
          outcome: "failure",
          "error.type": "Throttling",
        }),
      ),
    ).toBe(1);
    expect(point(m, METRIC.stsRequests, { "rpc.method": "AssumeRoleWithWebIdentity", "server.address": "127.0.0.1", outcome: "failure", "error.type": "Throttling" })?.value).toBe(1);
    const spans = otel.spans();
    const refreshSpan = spans.find((s) => s.name === "awscreds refresh")!;
    const stsSpan = spans.find((s) => s.name === "STS/AssumeRoleWithWebIdentity")!;
    expect(refreshSpan.status).toEqual({ code: SpanStatusCode.ERROR, message: "Throttling" });
    expect(refreshSpan.attributes["error.type"]).toBe("Throttling");
    expect(stsSpan.status.code).toBe(SpanStatusCode.ERROR);
    expect(stsSpan.attributes["aws.request_id"]).toBe((caught as { $metadata: { requestId: string } }).$metadata.requestId);
    // Only the type, never the message (library errors may carry secrets a redacted copy hides).
    expect(JSON.stringify([refreshSpan.status, refreshSpan.events, stsSpan.status, stsSpan.events])).not.toContain("Rate exceeded");
  });

  it("a refresh started inside a request's span starts its own trace, linked to that span", async () => {
    const telemetry = credentialsTelemetry({ meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider }, { provider: "p", source: "s" })!;
    const tracer = otel.tracerProvider.getTracer("app");
    await tracer.startActiveSpan("request", async (request) => {
      await telemetry.refreshAttempt("demand", async () => undefined);
      request.end();
    });
    const request = otel.spans().find((s) => s.name === "request")!;
    const refresh = otel.spans().find((s) => s.name === "awscreds refresh")!;
    expect(refresh.parentSpanContext).toBeUndefined();
    expect(refresh.spanContext().traceId).not.toBe(request.spanContext().traceId);
    expect(refresh.links.map((l) => l.context.spanId)).toEqual([request.spanContext().spanId]);
  });

  it("ttl is read only when collected, as seconds until expiry; a stopped provider stops reporting", async () => {
    await otel.restart({ temporality: "delta" });
    const telemetry = credentialsTelemetry({ meterProvider: otel.meterProvider }, { provider: "orders", source: "web-identity" })!;
    const owner = { expiration: new Date(Date.now() + 3_600_000) as Date | undefined, reads: 0 };
    telemetry.observeExpiration(owner, (o) => {
      o.reads += 1;
      return o.expiration;
    });
    expect(owner.reads).toBe(0);
    let m = await otel.metrics();
    expect(owner.reads).toBe(1);
    expect(m.get(METRIC.ttl)?.dataPointType).toBe(DataPointType.GAUGE);
    const ttl = point(m, METRIC.ttl, { "awscreds.provider": "orders", "awscreds.source": "web-identity" })?.value as number;
    expect(ttl).toBeGreaterThan(3590);
    expect(ttl).toBeLessThanOrEqual(3600);

    owner.expiration = undefined; // no credentials held: no value, rather than a made-up one
    m = await otel.metrics();
    expect(points(m, METRIC.ttl)).toEqual([]);

    owner.expiration = new Date(Date.now() + 60_000);
    telemetry.close();
    m = await otel.metrics();
    expect(points(m, METRIC.ttl)).toEqual([]);
    expect(owner.reads).toBe(2);
  });

  it("two providers with one name report the sooner expiry once, not two clashing values", async () => {
    const a = credentialsTelemetry({ meterProvider: otel.meterProvider }, { provider: "orders", source: "web-identity" })!;
    const b = credentialsTelemetry({ meterProvider: otel.meterProvider }, { provider: "orders", source: "web-identity" })!;
    a.observeExpiration({ at: new Date(Date.now() + 600_000) }, (o) => o.at);
    const soon = { at: new Date(Date.now() + 60_000) };
    b.observeExpiration(soon, (o) => o.at);
    const values = points(await otel.metrics(), METRIC.ttl).map((p) => p.value as number);
    expect(values).toHaveLength(1);
    expect(values[0]).toBeLessThanOrEqual(60);
  });

  it("stale_served is a monotonic counter per provider and source, summed over providers sharing a name", async () => {
    const a = credentialsTelemetry({ meterProvider: otel.meterProvider }, { provider: "orders", source: "web-identity" })!;
    const b = credentialsTelemetry({ meterProvider: otel.meterProvider }, { provider: "orders", source: "web-identity" })!;
    const other = credentialsTelemetry({ meterProvider: otel.meterProvider }, { provider: "billing", source: "container" })!;
    let m = await otel.metrics();
    expect(point(m, METRIC.staleServed, { "awscreds.provider": "orders", "awscreds.source": "web-identity" })?.value).toBe(0);
    for (let i = 0; i < 3; i++) a.staleServed();
    b.staleServed();
    other.staleServed();
    m = await otel.metrics();
    const metric = m.get(METRIC.staleServed)!;
    expect(metric.dataPointType).toBe(DataPointType.SUM);
    expect((metric as { isMonotonic?: boolean }).isMonotonic).toBe(true);
    expect(point(m, METRIC.staleServed, { "awscreds.provider": "orders", "awscreds.source": "web-identity" })?.value).toBe(4);
    expect(point(m, METRIC.staleServed, { "awscreds.provider": "billing", "awscreds.source": "container" })?.value).toBe(1);
    a.setSource("container");
    a.staleServed();
    m = await otel.metrics();
    expect(point(m, METRIC.staleServed, { "awscreds.provider": "orders", "awscreds.source": "container" })?.value).toBe(1);
    expect(point(m, METRIC.staleServed, { "awscreds.provider": "orders", "awscreds.source": "web-identity" })?.value).toBe(4);
  });
});

describe("STS failover and role cache", () => {
  it("failovers count the endpoint left and the one used", async () => {
    const t = stsTelemetry({ meterProvider: otel.meterProvider })!;
    t.failover("sts.eu-west-1.amazonaws.com", "sts.eu-central-1.amazonaws.com");
    t.failover("sts.eu-west-1.amazonaws.com", "sts.eu-central-1.amazonaws.com");
    const m = await otel.metrics();
    expect(point(m, METRIC.stsFailovers, { "server.address": "sts.eu-central-1.amazonaws.com", "awscreds.sts.failed_address": "sts.eu-west-1.amazonaws.com" })?.value).toBe(2);
  });

  it("requests by result, evictions, and size read when collected", async () => {
    await otel.restart({ temporality: "delta" });
    const t = roleCacheTelemetry({ meterProvider: otel.meterProvider }, "tenants")!;
    const cache = { size: 7 };
    t.observeSize(cache, (c) => c.size);
    for (const result of ROLE_CACHE_RESULTS) t.request(result);
    t.request("hit");
    t.evicted(2);
    t.evicted(0);
    const m = await otel.metrics();
    expect(point(m, METRIC.roleCacheRequests, { "awscreds.provider": "tenants", result: "hit" })?.value).toBe(2);
    for (const result of ["miss", "coalesced", "negative"]) {
      expect(point(m, METRIC.roleCacheRequests, { "awscreds.provider": "tenants", result })?.value).toBe(1);
    }
    expect(point(m, METRIC.roleCacheEvictions, { "awscreds.provider": "tenants" })?.value).toBe(2);
    expect(point(m, METRIC.roleCacheSize, { "awscreds.provider": "tenants" })?.value).toBe(7);
    expect(m.get(METRIC.roleCacheSize)?.dataPointType).toBe(DataPointType.GAUGE);
    t.close();
    expect(points(await otel.metrics(), METRIC.roleCacheSize)).toEqual([]);
  });
});

describe("which providers", () => {
  it("defaults to the global meter and tracer providers, including ones registered after construction", async () => {
    const telemetry = credentialsTelemetry(undefined, { provider: "late", source: "env" })!;
    const stsT = stsTelemetry({});
    expect(telemetry).toBeDefined();
    // Registered only now, as when the OpenTelemetry SDK starts after the provider was built.
    metrics.setGlobalMeterProvider(otel.meterProvider);
    trace.setGlobalTracerProvider(otel.tracerProvider);
    await telemetry.refreshAttempt("scheduled", () => assume(stsT));
    const m = await otel.metrics();
    expect(histogramCount(point(m, METRIC.refreshDuration, { "awscreds.provider": "late", "awscreds.source": "env", "awscreds.refresh.reason": "scheduled", outcome: "success" }))).toBe(1);
    expect(points(m, METRIC.stsRequests)).toHaveLength(1);
    expect(otel.spans().map((s) => s.name).sort()).toEqual(["STS/AssumeRoleWithWebIdentity", "awscreds refresh"]);
  });

  it("telemetry: false records nothing, even with global providers registered", async () => {
    metrics.setGlobalMeterProvider(otel.meterProvider);
    trace.setGlobalTracerProvider(otel.tracerProvider);
    expect(credentialsTelemetry(false, { provider: "off", source: "env" })).toBeUndefined();
    expect(stsTelemetry(false)).toBeUndefined();
    expect(roleCacheTelemetry(false, "off")).toBeUndefined();
    await withRefreshTelemetry(credentialsTelemetry(false, { provider: "off", source: "env" }), "initial", () => assume(stsTelemetry(false)));
    const m = await otel.metrics();
    expect([...m.values()].flatMap((metric) => metric.dataPoints as readonly unknown[])).toEqual([]);
    expect(otel.spans()).toEqual([]);
  });

  it("every metric name is the contract's, and nothing else is reported", async () => {
    const providers = { meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider };
    const c = credentialsTelemetry(providers, { provider: "p", source: "s" })!;
    c.observeExpiration({ at: new Date(Date.now() + 1000) }, (o) => o.at);
    c.staleServed();
    await c.refreshAttempt("initial", async () => 1);
    const s = stsTelemetry(providers)!;
    await s.request("AssumeRole", "sts.eu-west-1.amazonaws.com", async () => ({}));
    s.failover("a", "b");
    const r = roleCacheTelemetry(providers, "c")!;
    r.observeSize({ n: 1 }, (o) => o.n);
    r.request("miss");
    r.evicted();
    r.observeBudget({ n: 1 }, () => ({ shared: true, granted: 2, waits: 1, fallbacks: 0, fleetThrottles: 0 }));
    const { consumerTelemetry } = await import("../../src/telemetry/messaging.js");
    const q = consumerTelemetry(providers, { queueUrl: "http://127.0.0.1:1/123456789012/jobs" })!;
    q.received(1);
    await q.process({}, async () => undefined);
    q.operation("ReceiveMessage", 0.01);
    const names = [...(await otel.metrics()).entries()].filter(([, metric]) => metric.dataPoints.length > 0).map(([name]) => name);
    expect(names.sort()).toEqual(Object.values(METRIC).sort());
    expect(Object.values(METRIC).sort()).toEqual([
      "awscreds.credentials.refresh.duration",
      "awscreds.credentials.stale_served",
      "awscreds.credentials.ttl",
      "awscreds.role_cache.evictions",
      "awscreds.role_cache.requests",
      "awscreds.role_cache.size",
      "awscreds.sts.failovers",
      "awscreds.sts.requests",
      "awscreds.sts_budget.events",
      "awscreds.sts_budget.shared",
      "messaging.client.consumed.messages",
      "messaging.client.operation.duration",
      "messaging.process.duration",
    ]);
  });

  it("a telemetry option that is not a provider fails at construction with what to pass", () => {
    expect(() => credentialsTelemetry({ meterProvider: {} as never }, { provider: "p", source: "s" })).toThrow(/telemetry\.meterProvider must be an OpenTelemetry MeterProvider.*telemetry: false/);
    expect(() => stsTelemetry({ tracerProvider: { getTracer: 1 } as never })).toThrow(/telemetry\.tracerProvider/);
  });
});
