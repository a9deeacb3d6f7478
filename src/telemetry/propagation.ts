/**
 * The current trace context as text headers, for a producer to put on a message. Through the registered
 * propagator first (it may add `baggage`, or X-Ray's header, as the application configured), and a
 * W3C `traceparent` / `tracestate` built from the active span when the propagator wrote none (no
 * propagator registered: the API's default writes nothing).
 */
import type { TelemetryOption } from "./options.js";
import { otelApi } from "./otel-api.js";
import { formatTraceparent } from "./trace-context.js";

/**
 * Header name → value for the active context (empty when telemetry is off, `@opentelemetry/api` is not
 * installed, or no valid span is active). `traceparent` first, then `tracestate`, then the propagator's
 * other fields in its order.
 *
 * @example
 * ```ts
 * tracer.startActiveSpan("send", (span) => {
 *   currentTraceHeaders(); // { traceparent: "00-…-01" }
 *   span.end();
 * });
 * ```
 */
export function currentTraceHeaders(option?: TelemetryOption): Record<string, string> {
  if (option === false) return {};
  const api = otelApi();
  if (api === undefined) return {};
  const active = api.context.active();
  const carrier: Record<string, string> = {};
  try {
    api.propagation.inject(active, carrier);
  } catch {
    // A broken propagator must not stop a send; the W3C fallback below still applies.
  }
  const span = api.trace.getSpanContext(active);
  if (carrier.traceparent === undefined && span !== undefined && api.isSpanContextValid(span)) {
    carrier.traceparent = formatTraceparent(span);
    const state = span.traceState?.serialize();
    if (state !== undefined && state.length > 0) carrier.tracestate = state;
  }
  const ordered: Record<string, string> = {};
  for (const key of ["traceparent", "tracestate"]) if (typeof carrier[key] === "string") ordered[key] = carrier[key];
  for (const [key, value] of Object.entries(carrier)) if (!(key in ordered) && typeof value === "string") ordered[key] = value;
  return ordered;
}
