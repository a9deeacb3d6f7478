/**
 * The producer side of tracing through SQS, for teams without the SDK instrumentation: the current trace
 * context as `MessageAttributes`, within SQS's limit of 10 attributes per message. `consume` continues
 * the trace from them (or from `AWSTraceHeader`).
 */
import type { MessageAttributeValue } from "@aws-sdk/client-sqs";
import type { Logger } from "../shared/logger.js";
import { currentTraceHeaders } from "../telemetry/propagation.js";
import type { TelemetryOption } from "../telemetry/options.js";

/** SQS rejects a message with more message attributes than this. */
export const SQS_MAX_MESSAGE_ATTRIBUTES = 10;

/** What SQS accepts as an attribute name; a propagator's field that is not one is left out, not sent to fail. */
function validSqsName(name: string): boolean {
  return /^[A-Za-z0-9_.-]{1,256}$/.test(name) && !/^(aws\.|amazon\.)/i.test(name) && !name.startsWith(".") && !name.endsWith(".") && !name.includes("..");
}

export interface TraceContextOptions {
  /** `false`: add nothing (and never load `@opentelemetry/api`). Default: the active context, if any. */
  telemetry?: TelemetryOption;
  /** Told (at `warn`) when a trace attribute had to be left out. Default: silent. */
  logger?: Pick<Logger, "warn">;
}

/** What {@link injectTraceContext} did. */
export interface TraceContextInjection {
  /** The attributes to send: a new object, the caller's own first, then the trace attributes that fit. */
  messageAttributes: Record<string, MessageAttributeValue>;
  /** Trace attributes added (`traceparent` first). */
  added: string[];
  /**
   * Trace attributes left out: the message already had one by that name (it is kept), no room was left,
   * or the propagator's field name is not a valid SQS attribute name.
   */
  skipped: { name: string; reason: "present" | "limit" | "invalid-name" }[];
}

/**
 * Adds the active trace context (`traceparent`, `tracestate`, and whatever else the registered
 * propagator writes, such as `baggage`) to a copy of `messageAttributes`, as `String` attributes, and
 * says what it did. Never throws, never mutates its argument. An attribute the message already has is
 * left as it is (a context the application set on purpose wins). When the message has too many
 * attributes for all of them, `traceparent` goes first, then `tracestate`, then the rest, and the
 * others are listed in `skipped` (SQS allows 10 per message). With no active span, `@opentelemetry/api`
 * not installed, or `telemetry: false`, nothing is added.
 *
 * @example
 * ```ts
 * const { messageAttributes, skipped } = injectTraceContext({ tenant: { DataType: "String", StringValue: "acme" } });
 * if (skipped.length > 0) log.warn({ skipped }, "trace context not fully propagated");
 * await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body, MessageAttributes: messageAttributes }));
 * ```
 */
export function injectTraceContext(messageAttributes?: Record<string, MessageAttributeValue>, options: TraceContextOptions = {}): TraceContextInjection {
  const out: Record<string, MessageAttributeValue> =
    messageAttributes !== null && typeof messageAttributes === "object" ? { ...messageAttributes } : {};
  const result: TraceContextInjection = { messageAttributes: out, added: [], skipped: [] };
  let headers: Record<string, string>;
  try {
    headers = currentTraceHeaders(options.telemetry);
  } catch {
    return result; // a broken context manager: a send must not fail for tracing's sake
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!validSqsName(name)) result.skipped.push({ name, reason: "invalid-name" });
    else if (Object.prototype.hasOwnProperty.call(out, name)) result.skipped.push({ name, reason: "present" });
    else if (Object.keys(out).length >= SQS_MAX_MESSAGE_ATTRIBUTES) result.skipped.push({ name, reason: "limit" });
    else {
      out[name] = { DataType: "String", StringValue: value };
      result.added.push(name);
    }
  }
  const dropped = result.skipped.filter((s) => s.reason === "limit").map((s) => s.name);
  if (dropped.length > 0) {
    try {
      options.logger?.warn(
        `awscreds: trace context attribute(s) ${dropped.join(", ")} not added: the message already has ${SQS_MAX_MESSAGE_ATTRIBUTES} attributes (the SQS limit)` +
          (dropped.includes("traceparent") ? "; the consumer cannot continue this trace" : ""),
      );
    } catch {
      // a throwing logger must not fail the send either
    }
  }
  return result;
}

/**
 * `messageAttributes` plus the active trace context, ready for `SendMessage` (see
 * {@link injectTraceContext}, which also reports what was left out; this one tells `logger` instead).
 *
 * @example
 * ```ts
 * import { withTraceContext } from "awscreds/sqs";
 * await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(order), MessageAttributes: withTraceContext() }));
 * await sqs.send(new SendMessageBatchCommand({
 *   QueueUrl,
 *   Entries: orders.map((o, i) => ({ Id: String(i), MessageBody: JSON.stringify(o), MessageAttributes: withTraceContext({}, { logger: console }) })),
 * }));
 * ```
 */
export function withTraceContext(messageAttributes?: Record<string, MessageAttributeValue>, options: TraceContextOptions = {}): Record<string, MessageAttributeValue> {
  return injectTraceContext(messageAttributes, options).messageAttributes;
}
