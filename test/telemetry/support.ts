/**
 * The OpenTelemetry SDK in process: a manual metric reader (collect on demand, cumulative) and an
 * in-memory span exporter, plus the AsyncLocalStorage context manager so spans nest across awaits.
 */
import { context, metrics, propagation, trace, type Attributes } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { AggregationTemporality, DataPointType, MeterProvider, MetricReader, type DataPoint, type MetricData } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterEach, beforeEach } from "vitest";
import type { TelemetryOption } from "../../src/telemetry/options.js";

class ManualReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

export interface Otel {
  meterProvider: MeterProvider;
  tracerProvider: BasicTracerProvider;
  exporter: InMemorySpanExporter;
  /** Every metric collected now, by name. */
  metrics(): Promise<Map<string, MetricData>>;
  spans(): ReadableSpan[];
  shutdown(): Promise<void>;
}

/**
 * SDK providers that are not registered globally (pass them in `telemetry: { … }`). Cumulative by
 * default, as Prometheus reads; `delta` shows exactly what each collection observed (a cumulative gauge
 * keeps repeating its last value after its source stops observing).
 */
export function startOtel(options: { temporality?: "cumulative" | "delta" } = {}): Otel {
  const temporality = options.temporality === "delta" ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
  const reader = new ManualReader({ aggregationTemporalitySelector: () => temporality });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return {
    meterProvider,
    tracerProvider,
    exporter,
    async metrics() {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) throw new AggregateError(errors, "metric collection failed");
      const byName = new Map<string, MetricData>();
      for (const scope of resourceMetrics.scopeMetrics) for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
      return byName;
    },
    spans: () => exporter.getFinishedSpans(),
    async shutdown() {
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}

/** The current test's providers (see `otelEachTest`), with `providers()` to pass as the `telemetry` option. */
export interface OtelEachTest extends Otel {
  providers(): TelemetryOption;
  /** Shuts this test's providers down and starts new ones with these options (e.g. delta temporality). */
  restart(options: { temporality?: "cumulative" | "delta" }): Promise<void>;
}

/**
 * Fresh SDK providers for every test of the calling file (and, unless `globalContext: false`, the global
 * context manager and W3C propagator); after each test the providers are shut down and the global meter
 * provider, context, propagation and trace APIs reset — also whatever a test registered itself with
 * `useGlobalContext`. The object returned reads through to the current test's providers.
 */
export function otelEachTest(options: { globalContext?: boolean } = {}): OtelEachTest {
  let current: Otel | undefined;
  beforeEach(() => {
    if (options.globalContext !== false) useGlobalContext();
    current = startOtel();
  });
  afterEach(async () => {
    await current?.shutdown();
    current = undefined;
    metrics.disable();
    resetGlobalContext();
  });
  const otel = (): Otel => {
    if (current === undefined) throw new Error("otelEachTest(): read the providers inside a test or hook");
    return current;
  };
  return {
    get meterProvider() {
      return otel().meterProvider;
    },
    get tracerProvider() {
      return otel().tracerProvider;
    },
    get exporter() {
      return otel().exporter;
    },
    metrics: () => otel().metrics(),
    spans: () => otel().spans(),
    shutdown: () => otel().shutdown(),
    providers: () => ({ meterProvider: otel().meterProvider, tracerProvider: otel().tracerProvider }),
    async restart(restartOptions) {
      await otel().shutdown();
      current = startOtel(restartOptions);
    },
  };
}

let contextManager: AsyncLocalStorageContextManager | undefined;

/** The AsyncLocalStorage context manager and the W3C propagator, globally (what the Node SDK registers). */
export function useGlobalContext(options: { propagator?: boolean } = {}): () => void {
  contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  if (options.propagator !== false) propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return resetGlobalContext;
}

/** Undoes `useGlobalContext` (harmless when nothing is registered). */
function resetGlobalContext(): void {
  context.disable();
  propagation.disable();
  trace.disable();
  contextManager = undefined;
}

/** The data points of one metric (empty when it was not reported). */
export function points(metrics: Map<string, MetricData>, name: string): DataPoint<unknown>[] {
  return (metrics.get(name)?.dataPoints ?? []) as DataPoint<unknown>[];
}

/** The single data point of `name` with exactly these attributes. */
export function point(metrics: Map<string, MetricData>, name: string, attributes: Attributes): DataPoint<unknown> | undefined {
  const key = JSON.stringify(Object.entries(attributes).sort());
  return points(metrics, name).find((p) => JSON.stringify(Object.entries(p.attributes).sort()) === key);
}

/** A histogram point's count (throws for other kinds, so a wrong instrument type fails the test). */
export function histogramCount(p: DataPoint<unknown> | undefined): number | undefined {
  if (p === undefined) return undefined;
  const value = p.value as { count?: number };
  if (typeof value !== "object" || typeof value.count !== "number") throw new Error("not a histogram point");
  return value.count;
}

export { DataPointType };
