/**
 * The producer's trace context carried by an SQS message, as plain data (no OpenTelemetry here, so it is
 * pure and tested over malformed input): the W3C `traceparent` / `tracestate` message attributes, else
 * the `AWSTraceHeader` system attribute that X-Ray and SQS use (`Root=1-…;Parent=…;Sampled=1`).
 *
 * W3C first: it is what an OpenTelemetry producer (or `withTraceContext`) writes on purpose, while SQS
 * may add `AWSTraceHeader` by itself when the producer ran under X-Ray.
 */

/** A span context received from elsewhere. Ids are lowercase hex; `traceFlags` bit 0 is "sampled". */
export interface RemoteTraceContext {
  traceId: string;
  spanId: string;
  traceFlags: number;
  /** The raw W3C `tracestate`, when one came with a `traceparent`. */
  traceState?: string;
  /** Which attribute it came from. */
  carrier: "traceparent" | "AWSTraceHeader";
}

/** The parts of an SQS `Message` the trace context lives in (the SDK's `Message` fits). */
export interface SqsMessageLike {
  MessageId?: string;
  MessageAttributes?: Record<string, { DataType?: string; StringValue?: string } | undefined>;
  Attributes?: Partial<Record<string, string>>;
}

const HEX_32 = /^[0-9a-f]{32}$/;
const HEX_16 = /^[0-9a-f]{16}$/;
const HEX_2 = /^[0-9a-f]{2}$/;
const ZERO_32 = "0".repeat(32);
const ZERO_16 = "0".repeat(16);
/** W3C caps `tracestate` at 32 members; 512 characters is what propagators must at least carry. */
const MAX_TRACESTATE = 512;

/**
 * A W3C `traceparent` header, or `undefined` if it is not one (wrong length, uppercase or non-hex ids,
 * all-zero ids, version `ff`, a version-00 header with extra fields).
 *
 * @example
 * ```ts
 * parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
 * // { traceId: "4bf9…4736", spanId: "00f0…02b7", traceFlags: 1, carrier: "traceparent" }
 * ```
 */
export function parseTraceparent(value: string, traceState?: string): RemoteTraceContext | undefined {
  const header = value.trim();
  if (header.length < 55) return undefined;
  const [version, traceId, spanId, flags] = header.slice(0, 55).split("-");
  if (version === undefined || traceId === undefined || spanId === undefined || flags === undefined) return undefined;
  if (!HEX_2.test(version) || version === "ff") return undefined;
  // Version 00 is exactly 55 characters; a later version may append fields after a dash.
  if (version === "00" ? header.length !== 55 : header.length > 55 && header[55] !== "-") return undefined;
  if (!HEX_32.test(traceId) || traceId === ZERO_32 || !HEX_16.test(spanId) || spanId === ZERO_16 || !HEX_2.test(flags)) return undefined;
  const context: RemoteTraceContext = { traceId, spanId, traceFlags: parseInt(flags, 16) & 0xff, carrier: "traceparent" };
  const state = traceState?.trim();
  if (state !== undefined && state.length > 0 && state.length <= MAX_TRACESTATE) context.traceState = state;
  return context;
}

/**
 * An X-Ray trace header (`AWSTraceHeader`) as a W3C context: `Root=1-5759e988-bd862e3fe1be46a994272793`
 * becomes trace id `5759e988bd862e3fe1be46a994272793`, `Parent` the span id, `Sampled=1` the sampled
 * flag (`0`, `?` or absent: not sampled). `undefined` without a valid `Root` and `Parent`.
 *
 * @example
 * ```ts
 * parseXrayTraceHeader("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
 * // { traceId: "5759e988bd862e3fe1be46a994272793", spanId: "53995c3f42cd8ad8", traceFlags: 1, carrier: "AWSTraceHeader" }
 * ```
 */
export function parseXrayTraceHeader(value: string): RemoteTraceContext | undefined {
  const fields = new Map<string, string>();
  for (const part of value.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    if (!fields.has(key)) fields.set(key, part.slice(eq + 1).trim());
  }
  const root = fields.get("Root")?.toLowerCase();
  const parent = fields.get("Parent")?.toLowerCase();
  if (root === undefined || parent === undefined) return undefined;
  const match = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/.exec(root);
  if (match === null) return undefined;
  const traceId = `${match[1]}${match[2]}`;
  if (traceId === ZERO_32 || !HEX_16.test(parent) || parent === ZERO_16) return undefined;
  return { traceId, spanId: parent, traceFlags: fields.get("Sampled") === "1" ? 1 : 0, carrier: "AWSTraceHeader" };
}

function stringAttribute(message: SqsMessageLike, name: string): string | undefined {
  const attributes = message.MessageAttributes;
  if (attributes === undefined || attributes === null || typeof attributes !== "object") return undefined;
  let attribute = attributes[name];
  if (attribute === undefined) {
    // SQS names are case-sensitive, but some propagators capitalise (`Traceparent`).
    const key = Object.keys(attributes).find((k) => k.toLowerCase() === name);
    attribute = key === undefined ? undefined : attributes[key];
  }
  if (attribute === undefined || attribute === null || typeof attribute !== "object") return undefined;
  const { DataType: type, StringValue: text } = attribute;
  return typeof text === "string" && (type === undefined || (typeof type === "string" && type.startsWith("String"))) ? text : undefined;
}

/**
 * The producer's context of a received message: its `traceparent` (with `tracestate`) message
 * attribute, else its `AWSTraceHeader` system attribute; `undefined` when neither holds a valid one.
 *
 * @example
 * ```ts
 * producerTraceContext({ MessageAttributes: { traceparent: { DataType: "String", StringValue: "00-…-01" } } });
 * producerTraceContext({ Attributes: { AWSTraceHeader: "Root=1-…;Parent=…;Sampled=1" } });
 * ```
 */
export function producerTraceContext(message: SqsMessageLike): RemoteTraceContext | undefined {
  if (message === null || typeof message !== "object") return undefined;
  const traceparent = stringAttribute(message, "traceparent");
  const w3c = traceparent === undefined ? undefined : parseTraceparent(traceparent, stringAttribute(message, "tracestate"));
  if (w3c !== undefined) return w3c;
  const xray = message.Attributes !== null && typeof message.Attributes === "object" ? message.Attributes.AWSTraceHeader : undefined;
  return typeof xray === "string" ? parseXrayTraceHeader(xray) : undefined;
}

/**
 * The W3C `traceparent` for a span context (what an injector writes when no propagator is registered).
 *
 * @example
 * ```ts
 * formatTraceparent({ traceId: "4bf9…4736", spanId: "00f0…02b7", traceFlags: 1 }); // "00-4bf9…4736-00f0…02b7-01"
 * ```
 */
export function formatTraceparent(context: { traceId: string; spanId: string; traceFlags: number }): string {
  return `00-${context.traceId}-${context.spanId}-${(context.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}
