/**
 * Runs an async operation inside a span's context (so spans started by the operation, the STS client's
 * or the user's, become its children), then ends the span with the outcome and hands the duration and
 * the error to `done` for the metrics. Telemetry never changes what the operation returns or throws.
 */
import type { Context, Span } from "@opentelemetry/api";
import { ATTR } from "./names.js";
import { errorType } from "./error-type.js";
import type { Otel } from "./otel-api.js";

export interface SpanEnd {
  seconds: number;
  /** `error.type` of the failure; undefined on success. */
  errorType: string | undefined;
}

/**
 * @example
 * ```ts
 * const span = tracer.startSpan("awscreds refresh", { kind: api.SpanKind.INTERNAL });
 * return runInSpan(api, span, api.context.active(), () => source(), (end) => histogram.record(end.seconds));
 * ```
 */
export async function runInSpan<T>(
  api: Otel,
  span: Span,
  parent: Context,
  operation: () => Promise<T>,
  done: (end: SpanEnd) => void,
  options: { recordException?: boolean } = {},
): Promise<T> {
  const start = performance.now();
  const finish = (error: unknown, failed: boolean): void => {
    try {
      const type = failed ? errorType(error) : undefined;
      if (type !== undefined) {
        span.setAttribute(ATTR.errorType, type);
        // Only the type: library errors may carry what a redacted copy would hide (see redactError).
        span.setStatus({ code: api.SpanStatusCode.ERROR, message: type });
        if (options.recordException === true && error instanceof Error) span.recordException(error);
      }
      done({ seconds: (performance.now() - start) / 1000, errorType: type }); // may still set span attributes
      span.end();
    } catch {
      // Telemetry must never turn a success into a failure, or change the failure.
    }
  };
  let result: T;
  try {
    result = await api.context.with(api.trace.setSpan(parent, span), operation);
  } catch (error) {
    finish(error, true);
    throw error;
  }
  finish(undefined, false);
  return result;
}
