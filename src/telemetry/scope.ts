/**
 * One telemetry scope per `telemetry` option value: the meter and tracer it reports to, the synchronous
 * instruments, and the state the observable ones read. Instruments are created when first needed, and
 * again when the global meter provider changes, so a provider created before the OpenTelemetry SDK was
 * started still reports once it is (at its next event; gauges from then on).
 */
import type { Attributes, Counter, Histogram, Meter, Tracer } from "@opentelemetry/api";
import { packageVersion } from "../shared/version.js";
import { CountCells, GaugeSources } from "./observed.js";
import type { TelemetryMeterProvider, TelemetryOption, TelemetryTracerProvider } from "./options.js";
import { DURATION_BUCKETS_S, METRIC, SCOPE_NAME } from "./names.js";
import { otelApi, type Otel } from "./otel-api.js";

/** The synchronous instruments (the observable ones read {@link TelemetryScope}'s cells and sources). */
export interface Instruments {
  refreshDuration: Histogram;
  stsRequests: Counter;
  stsFailovers: Counter;
  roleCacheEvictions: Counter;
  consumedMessages: Counter;
  processDuration: Histogram;
  operationDuration: Histogram;
}

export class TelemetryScope {
  /** `awscreds.credentials.stale_served`, by provider and source. */
  readonly staleServed = new CountCells();
  /** `awscreds.role_cache.requests`, by cache and result. */
  readonly roleCacheRequests = new CountCells();
  /** `awscreds.credentials.ttl`: the soonest expiry among providers sharing a name. */
  readonly ttl = new GaugeSources("min");
  /** `awscreds.role_cache.size`: entries, summed over caches sharing a name. */
  readonly roleCacheSize = new GaugeSources("sum");
  /** `awscreds.sts_budget.shared`: 1 while a cache's shared budget (Redis) answers, 0 on its local share. */
  readonly stsBudgetShared = new GaugeSources("min");
  /** `awscreds.sts_budget.events`, by cache and result. */
  readonly stsBudgetEvents = new CountCells();

  private boundTo: object | undefined;
  private bound: Instruments | undefined;
  private tracerCache: Tracer | undefined;

  constructor(
    readonly api: Otel,
    private readonly meterProvider: TelemetryMeterProvider | undefined,
    private readonly tracerProvider: TelemetryTracerProvider | undefined,
  ) {}

  /** The instruments, or `undefined` while metrics go nowhere (no meter provider registered yet). */
  instruments(): Instruments | undefined {
    const provider = this.meterProvider ?? this.api.metrics.getMeterProvider();
    if (provider !== this.boundTo) {
      this.boundTo = provider;
      this.bound = this.bind(provider.getMeter(SCOPE_NAME, packageVersion()) as Meter);
    }
    return this.bound;
  }

  /**
   * The tracer. The global one is looked up each time (cheap: the SDK caches tracers), so replacing the
   * global tracer provider (`trace.disable()` then a new registration) is followed.
   */
  tracer(): Tracer {
    if (this.tracerProvider === undefined) return this.api.trace.getTracer(SCOPE_NAME, packageVersion());
    this.tracerCache ??= this.tracerProvider.getTracer(SCOPE_NAME, packageVersion()) as Tracer;
    return this.tracerCache;
  }

  private bind(meter: Meter): Instruments | undefined {
    if (meter.constructor === noopMeterClass(this.api)) return undefined;
    const seconds = { unit: "s", advice: { explicitBucketBoundaries: DURATION_BUCKETS_S } };
    meter
      .createObservableGauge(METRIC.ttl, { unit: "s", description: "Seconds until the credentials held expire (negative once expired)" })
      .addCallback((result) => this.ttl.observe(result));
    meter
      .createObservableCounter(METRIC.staleServed, { unit: "{resolution}", description: "Resolutions answered while refreshing fails (degraded)" })
      .addCallback((result) => this.staleServed.observe(result));
    meter
      .createObservableGauge(METRIC.roleCacheSize, { unit: "{entry}", description: "Roles held by the assume-role cache" })
      .addCallback((result) => this.roleCacheSize.observe(result));
    meter
      .createObservableGauge(METRIC.stsBudgetShared, { unit: "1", description: "1 while the fleet's STS budget on Redis answers, 0 while this replica uses its local share" })
      .addCallback((result) => this.stsBudgetShared.observe(result));
    meter
      .createObservableCounter(METRIC.stsBudgetEvents, { unit: "{event}", description: "Shared STS budget: tokens granted, waits, fallbacks to the local share, fleet-wide Throttling seen" })
      .addCallback((result) => this.stsBudgetEvents.observe(result));
    meter
      .createObservableCounter(METRIC.roleCacheRequests, { unit: "{request}", description: "Assume-role cache lookups by result" })
      .addCallback((result) => this.roleCacheRequests.observe(result));
    return {
      refreshDuration: meter.createHistogram(METRIC.refreshDuration, { ...seconds, description: "Duration of credential refresh attempts" }),
      stsRequests: meter.createCounter(METRIC.stsRequests, { unit: "{request}", description: "STS requests by method, endpoint and outcome" }),
      stsFailovers: meter.createCounter(METRIC.stsFailovers, { unit: "{failover}", description: "Switches to a failover STS endpoint" }),
      roleCacheEvictions: meter.createCounter(METRIC.roleCacheEvictions, { unit: "{entry}", description: "Roles evicted from the assume-role cache" }),
      consumedMessages: meter.createCounter(METRIC.consumedMessages, { unit: "{message}", description: "Messages delivered to the application" }),
      processDuration: meter.createHistogram(METRIC.processDuration, { ...seconds, description: "Duration of message handling" }),
      operationDuration: meter.createHistogram(METRIC.operationDuration, { ...seconds, description: "Duration of SQS calls of a consumer or poller" }),
    };
  }
}

let noopMeter: unknown;
function noopMeterClass(api: Otel): unknown {
  noopMeter ??= api.createNoopMeter().constructor;
  return noopMeter;
}

const GLOBAL = {};
const scopes = new WeakMap<object, WeakMap<object, TelemetryScope>>();

function checkProvider(value: unknown, method: string, option: string): void {
  if (value !== undefined && (typeof value !== "object" || value === null || typeof (value as Record<string, unknown>)[method] !== "function")) {
    throw new TypeError(`telemetry.${option} must be an OpenTelemetry ${option === "meterProvider" ? "MeterProvider" : "TracerProvider"} (an object with ${method}()); pass telemetry: false to turn telemetry off`);
  }
}

/**
 * The scope for a `telemetry` option: `undefined` when telemetry is off (`false`) or
 * `@opentelemetry/api` is not installed. The same providers always give the same scope, so instruments
 * and observable callbacks are registered once per meter, however many providers report through it.
 * Throws a `TypeError` (at construction of whatever takes the option) for a provider that is not one.
 *
 * @example
 * ```ts
 * const scope = resolveTelemetry(options.telemetry);
 * scope?.instruments()?.stsFailovers.add(1);
 * ```
 */
export function resolveTelemetry(option: TelemetryOption | undefined): TelemetryScope | undefined {
  if (option === false) return undefined;
  const providers = typeof option === "object" && option !== null ? option : {};
  checkProvider(providers.meterProvider, "getMeter", "meterProvider");
  checkProvider(providers.tracerProvider, "getTracer", "tracerProvider");
  const api = otelApi();
  if (api === undefined) return undefined;
  const meterKey = providers.meterProvider ?? GLOBAL;
  const tracerKey = providers.tracerProvider ?? GLOBAL;
  let byTracer = scopes.get(meterKey);
  if (byTracer === undefined) scopes.set(meterKey, (byTracer = new WeakMap()));
  let scope = byTracer.get(tracerKey);
  if (scope === undefined) byTracer.set(tracerKey, (scope = new TelemetryScope(api, providers.meterProvider, providers.tracerProvider)));
  return scope;
}

export type { Attributes };
