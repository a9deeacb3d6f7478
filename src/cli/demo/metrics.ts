/**
 * The demo's metrics: when `@opentelemetry/api` and `@opentelemetry/sdk-metrics` are installed (they are
 * in this repository; a user's install may not have them), the awscreds side reports to an in-process
 * `MeterProvider`, read once at the end for a short summary. With `--prometheus`, the same provider also
 * serves `/metrics` on 127.0.0.1 through `@opentelemetry/exporter-prometheus`, when that is installed.
 */
import type * as SdkMetrics from "@opentelemetry/sdk-metrics";
import { canRequire, lazyRequire } from "../../shared/lazy-require.js";
import type { TelemetryOption } from "../../telemetry/options.js";
import { METRIC } from "../../telemetry/names.js";

export interface DemoMetrics {
  /** The `telemetry` option for the awscreds side. */
  telemetry: TelemetryOption;
  /** Where Prometheus can scrape, when `--prometheus` is on. */
  prometheusUrl: string | undefined;
  /** Lines of the summary, read from the in-process reader now. */
  summary(): Promise<string[]>;
  shutdown(): Promise<void>;
}

/** What is missing for the summary, or undefined when it can run. */
export function demoMetricsMissing(): string | undefined {
  const missing = ["@opentelemetry/api", "@opentelemetry/sdk-metrics"].filter((m) => !canRequire(m));
  return missing.length === 0 ? undefined : missing.join(" and ");
}

type Point = SdkMetrics.DataPoint<unknown>;
type Histogram = { count: number; sum?: number };

const isHistogram = (value: unknown): value is Histogram => typeof value === "object" && value !== null && typeof (value as Histogram).count === "number";

/** `{ a: 1, b: 2 }` → `a=1 b=2`, skipping the attributes every point of the metric shares. */
function label(attributes: Record<string, unknown>, skip: readonly string[]): string {
  return Object.entries(attributes)
    .filter(([k]) => !skip.includes(k))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(" ");
}

/**
 * The summary lines for what was collected: every awscreds and messaging metric, one line per series.
 *
 * @example
 * ```ts
 * formatDemoMetrics(byName); // ["awscreds.sts.requests  rpc.method=AssumeRoleWithWebIdentity … outcome=success  12", …]
 * ```
 */
export function formatDemoMetrics(byName: ReadonlyMap<string, readonly Point[]>): string[] {
  const lines: string[] = [];
  const shared = ["awscreds.provider", "messaging.system", "rpc.method"];
  for (const name of Object.values(METRIC)) {
    const points = byName.get(name) ?? [];
    for (const p of points) {
      const value = p.value;
      let shown: string;
      if (isHistogram(value)) {
        const mean = value.count > 0 && value.sum !== undefined ? (value.sum / value.count) * 1000 : undefined;
        shown = `${value.count} × ${mean === undefined ? "?" : `${mean < 10 ? mean.toFixed(2) : Math.round(mean)} ms mean`}`;
      } else if (typeof value === "number") {
        if (value === 0 && name !== METRIC.ttl) continue; // a series that exists but never counted says nothing here
        shown = name === METRIC.ttl ? `${value.toFixed(1)} s` : String(value);
      } else continue;
      lines.push(`${name}  ${label(p.attributes, shared)}  ${shown}`.replace(/ {3,}/g, "  "));
    }
  }
  return lines;
}

/**
 * The demo's in-process metrics, or undefined when the packages are not installed. `prometheusPort`
 * also serves `/metrics` on 127.0.0.1; it throws when the exporter is not installed.
 *
 * @example
 * ```ts
 * const metrics = await startDemoMetrics();
 * createRefresher(source, { telemetry: metrics?.telemetry ?? {} });
 * ```
 */
export async function startDemoMetrics(prometheusPort?: number): Promise<DemoMetrics | undefined> {
  if (demoMetricsMissing() !== undefined) return undefined;
  const sdk = lazyRequire<typeof SdkMetrics>("@opentelemetry/sdk-metrics");
  class InProcessReader extends sdk.MetricReader {
    protected async onForceFlush(): Promise<void> {}
    protected async onShutdown(): Promise<void> {}
  }
  const reader = new InProcessReader();
  const readers: SdkMetrics.MetricReader[] = [reader];
  let prometheusUrl: string | undefined;
  if (prometheusPort !== undefined) {
    const { PrometheusExporter } = lazyRequire<{ PrometheusExporter: new (config: { host: string; port: number }, ready?: (error?: unknown) => void) => SdkMetrics.MetricReader & { getUrl?(): string } }>(
      "@opentelemetry/exporter-prometheus",
    );
    let listening!: (error?: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => (listening = (error?: unknown) => (error === undefined || error === null ? resolve() : reject(error))));
    // Loopback only: the demo's metrics are for the person running it, not the network.
    const exporter = new PrometheusExporter({ host: "127.0.0.1", port: prometheusPort }, listening);
    await ready;
    readers.push(exporter);
    prometheusUrl = `http://127.0.0.1:${prometheusPort}/metrics`;
  }
  const meterProvider = new sdk.MeterProvider({ readers });
  return {
    telemetry: { meterProvider },
    prometheusUrl,
    async summary() {
      const { resourceMetrics } = await reader.collect();
      const byName = new Map<string, Point[]>();
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) byName.set(metric.descriptor.name, [...(byName.get(metric.descriptor.name) ?? []), ...(metric.dataPoints as Point[])]);
      }
      return formatDemoMetrics(byName);
    },
    shutdown: () => meterProvider.shutdown(),
  };
}
