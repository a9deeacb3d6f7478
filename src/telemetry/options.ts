/**
 * The `telemetry` option every provider, refresher, swapper, role cache and `consume` takes. The types
 * are structural and minimal on purpose: the public `.d.ts` must not need `@opentelemetry/api` installed,
 * yet an SDK `MeterProvider` / `TracerProvider` (or the API's own interfaces) fits them as they are.
 */

/**
 * Anything with `getMeter(name, version?)`: an `@opentelemetry/sdk-metrics` `MeterProvider`, or
 * `metrics.getMeterProvider()` from `@opentelemetry/api`.
 */
export interface TelemetryMeterProvider {
  getMeter(name: string, version?: string): object;
}

/**
 * Anything with `getTracer(name, version?)`: an `@opentelemetry/sdk-trace-base` `BasicTracerProvider`,
 * a `NodeTracerProvider`, or `trace.getTracerProvider()` from `@opentelemetry/api`.
 */
export interface TelemetryTracerProvider {
  getTracer(name: string, version?: string): object;
}

/** Providers to report to instead of the global ones. */
export interface TelemetryProviders {
  /** Where metrics go. Default: the global meter provider (`metrics.setGlobalMeterProvider`). */
  meterProvider?: TelemetryMeterProvider;
  /** Where spans go. Default: the global tracer provider (`trace.setGlobalTracerProvider`). */
  tracerProvider?: TelemetryTracerProvider;
}

/**
 * How awscreds reports through OpenTelemetry:
 * - omitted (or `{}`): to the global meter and tracer providers, when `@opentelemetry/api` is installed
 *   (it is an optional peer dependency; without it nothing is loaded and nothing is reported);
 * - `{ meterProvider, tracerProvider }`: to these (each one omitted falls back to the global one);
 * - `false`: nothing at all, and `@opentelemetry/api` is never loaded.
 *
 * @example
 * ```ts
 * import type { TelemetryOption } from "awscreds";
 * import { MeterProvider } from "@opentelemetry/sdk-metrics";
 * const toMyReader: TelemetryOption = { meterProvider: new MeterProvider({ readers: [reader] }) };
 * const toGlobalProviders: TelemetryOption = {};
 * const off: TelemetryOption = false;
 * ```
 */
export type TelemetryOption = false | TelemetryProviders;
