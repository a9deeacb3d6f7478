/**
 * What `consume` asks ReceiveMessage for when telemetry is on: the producer's trace context travels in
 * the `traceparent`/`tracestate` message attributes (W3C) or the `AWSTraceHeader` system attribute
 * (X-Ray), and SQS only returns attributes that were asked for. The defaults (`["All"]`) already bring
 * them; a narrowed list gets them appended.
 */
import type { MessageSystemAttributeName } from "@aws-sdk/client-sqs";

const TRACE_MESSAGE_ATTRIBUTES = ["traceparent", "tracestate"] as const;

/**
 * `names` plus the trace context's message attributes (`undefined` stays the default, `["All"]`).
 *
 * @example
 * ```ts
 * traceMessageAttributeNames(["tenant"]); // ["tenant", "traceparent", "tracestate"]
 * ```
 */
export function traceMessageAttributeNames(names: string[] | undefined): string[] | undefined {
  if (names === undefined || names.includes("All") || names.includes(".*")) return names;
  const missing = TRACE_MESSAGE_ATTRIBUTES.filter((n) => !names.includes(n));
  return missing.length === 0 ? names : [...names, ...missing];
}

/**
 * `names` plus `AWSTraceHeader` (`undefined` stays the default, `["All"]`).
 *
 * @example
 * ```ts
 * traceSystemAttributeNames(["ApproximateReceiveCount"]); // ["ApproximateReceiveCount", "AWSTraceHeader"]
 * ```
 */
export function traceSystemAttributeNames(names: MessageSystemAttributeName[] | undefined): MessageSystemAttributeName[] | undefined {
  if (names === undefined || names.includes("All") || names.includes("AWSTraceHeader")) return names;
  return [...names, "AWSTraceHeader"];
}
