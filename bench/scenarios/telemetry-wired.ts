/**
 * Scenario 10, through the real faces: one resolution of a `createRefresher` provider with telemetry off
 * (`telemetry: false`) and on (an SDK `MeterProvider`), healthy and degraded; and `consume` throughput on
 * the loopback fake SQS with telemetry off and on (SDK tracer with a batch processor, meter, the
 * AsyncLocalStorage context manager on both sides).
 */
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { performance } from "node:perf_hooks";
import { createRefresher, type Refresher, type TelemetryOption } from "../../src/index.js";
import { consume } from "../../src/sqs/index.js";
import { startFakeAws } from "../../src/testing/index.js";

export class CollectOnDemand extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** Counts what it is given and drops it: the cost of exporting is the exporter's, not awscreds'. */
export class DiscardingExporter implements SpanExporter {
  exported = 0;
  export(spans: ReadableSpan[], done: (result: { code: number }) => void): void {
    this.exported += spans.length;
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
}

export interface ProviderHotPath {
  /** Per target, ns per resolution, one sample per run. */
  samples: Record<string, number[]>;
  /** `awscreds.credentials.stale_served` collected after the runs (the degraded calls of the "on" target). */
  staleServed: number;
  iterations: number;
}

export const PROVIDER_TARGETS = ["off, ready", "off, degraded", "on, ready", "on, degraded (each call counted)"] as const;

function nsPerResolution(provider: Refresher, iterations: number): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) if (provider() !== undefined) sink += 1;
  const ns = Number(process.hrtime.bigint() - start) / iterations;
  if (sink !== iterations) throw new Error("unexpected sink");
  return ns;
}

/** A source that succeeds, then fails every later fetch once `failing` is set. */
function source(state: { failing: boolean }) {
  return async () => {
    if (state.failing) throw Object.assign(new Error("STS is down"), { name: "ServiceUnavailable" });
    return { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", expiration: new Date(Date.now() + 3_600_000) };
  };
}

/**
 * Each target is a real refresher (cached credentials, the provider function SDK clients call); degraded
 * ones have had a refresh fail (retry an hour away), so every resolution is answered while degraded.
 */
export async function providerHotPath(quick: boolean, runs: number): Promise<ProviderHotPath> {
  const iterations = quick ? 2_000_000 : 20_000_000;
  const reader = new CollectOnDemand();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const refreshers: Refresher[] = [];
  try {
    const make = async (telemetry: TelemetryOption, degraded: boolean, name: string): Promise<Refresher> => {
      const state = { failing: false };
      const r = createRefresher(source(state), { name, telemetry, backoff: { initialDelayMs: 3_600_000, maxDelayMs: 3_600_000 } });
      refreshers.push(r);
      await r.ready;
      if (degraded) {
        state.failing = true;
        await r.refresh().catch(() => undefined);
        if (r.status().state !== "degraded") throw new Error("bench setup: expected a degraded refresher");
      }
      return r;
    };
    const targets: [string, Refresher][] = [
      [PROVIDER_TARGETS[0], await make(false, false, "bench-off")],
      [PROVIDER_TARGETS[1], await make(false, true, "bench-off-degraded")],
      [PROVIDER_TARGETS[2], await make({ meterProvider }, false, "bench-on")],
      [PROVIDER_TARGETS[3], await make({ meterProvider }, true, "bench-on-degraded")],
    ];
    const samples: Record<string, number[]> = Object.fromEntries(targets.map(([label]) => [label, []]));
    for (let round = 0; round <= runs; round += 1) {
      for (const [label, provider] of targets) {
        const ns = nsPerResolution(provider, iterations);
        if (round > 0) samples[label]!.push(ns);
      }
    }
    const { resourceMetrics } = await reader.collect();
    const staleServed =
      resourceMetrics.scopeMetrics
        .flatMap((s) => s.metrics)
        .find((m) => m.descriptor.name === "awscreds.credentials.stale_served")
        ?.dataPoints.filter((p) => p.attributes["awscreds.provider"] === "bench-on-degraded")
        .reduce((sum, p) => sum + (p.value as number), 0) ?? 0;
    return { samples, staleServed, iterations };
  } finally {
    for (const r of refreshers) r.stop();
    await meterProvider.shutdown();
  }
}

export interface ConsumeTelemetryRuns {
  messages: number;
  concurrency: number;
  off: number[];
  on: number[];
  spansExported: number;
}

async function load(client: SQSClient, queueUrl: string, count: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const start = next;
      next += 10;
      const size = Math.min(10, count - start);
      const traceparent = { DataType: "String", StringValue: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" };
      await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Array.from({ length: size }, (_, j) => ({ Id: String(j), MessageBody: `message ${start + j}`, MessageAttributes: { traceparent } })),
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Messages per second through `consume` (no-op handler, concurrency 10), telemetry off and on, alternating. */
export async function consumeThroughput(quick: boolean, runs: number, log: (m: string) => void): Promise<ConsumeTelemetryRuns> {
  const messages = quick ? 1_000 : 5_000;
  const concurrency = 10;
  const fake = await startFakeAws();
  const client = new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials: fake.registerStaticKeys() });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const exporter = new DiscardingExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 100_000, maxExportBatchSize: 4096 })] });
  const meterProvider = new MeterProvider({ readers: [new CollectOnDemand()] });
  const result: ConsumeTelemetryRuns = { messages, concurrency, off: [], on: [], spansExported: 0 };
  try {
    for (let round = 0; round <= runs; round += 1) {
      for (const side of ["off", "on"] as const) {
        const name = `telemetry-${side}-${round}`;
        const queueUrl = fake.sqs.createQueue(name);
        await load(client, queueUrl, messages);
        const start = performance.now();
        const consumer = consume({
          client,
          queueUrl,
          concurrency,
          WaitTimeSeconds: 1,
          telemetry: side === "on" ? { meterProvider, tracerProvider } : false,
          handler: () => new Promise<void>((resolve) => setImmediate(resolve)),
        });
        const deadline = start + 120_000;
        while (fake.sqs.counts(name).deleted < messages) {
          if (performance.now() > deadline) throw new Error("bench run did not finish within 120 s");
          await pause(5);
        }
        const seconds = (performance.now() - start) / 1000;
        await consumer.stop();
        // Round 0 warms up both sides.
        if (round > 0) result[side].push(messages / seconds);
        log(`telemetry consume ${side} round ${round}: ${Math.round(messages / seconds)} msg/s`);
      }
    }
    await tracerProvider.forceFlush();
    result.spansExported = exporter.exported;
    return result;
  } finally {
    client.destroy();
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
    context.disable();
    await fake.close();
  }
}
