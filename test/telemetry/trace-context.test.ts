/**
 * The producer's context from SQS message attributes: W3C `traceparent`/`tracestate`, X-Ray's
 * `AWSTraceHeader`, and every malformed variant a queue may hold (they yield no context, never a throw).
 */
import { describe, expect, it } from "vitest";
import { formatTraceparent, parseTraceparent, parseXrayTraceHeader, producerTraceContext } from "../../src/telemetry/trace-context.js";
import { errorType } from "../../src/telemetry/error-type.js";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";
const VALID = `00-${TRACE}-${SPAN}-01`;

describe("parseTraceparent", () => {
  it("reads trace id, span id and flags", () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 1, carrier: "traceparent" });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.traceFlags).toBe(0);
    expect(parseTraceparent(`  ${VALID} `)?.traceId).toBe(TRACE);
  });

  it("keeps tracestate when present and of sane length", () => {
    expect(parseTraceparent(VALID, "vendor=abc,other=1")?.traceState).toBe("vendor=abc,other=1");
    expect(parseTraceparent(VALID, "   ")?.traceState).toBeUndefined();
    expect(parseTraceparent(VALID, `v=${"x".repeat(600)}`)?.traceState).toBeUndefined();
  });

  it("accepts a future version with extra fields, not version 00 with them", () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-extra`)?.spanId).toBe(SPAN);
    expect(parseTraceparent(`${VALID}-extra`)).toBeUndefined();
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01x`)).toBeUndefined();
  });

  it.each([
    ["empty", ""],
    ["too short", `00-${TRACE}-${SPAN}-1`],
    ["version ff", `ff-${TRACE}-${SPAN}-01`],
    ["non-hex version", `0g-${TRACE}-${SPAN}-01`],
    ["uppercase trace id", `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ["all-zero trace id", `00-${"0".repeat(32)}-${SPAN}-01`],
    ["all-zero span id", `00-${TRACE}-${"0".repeat(16)}-01`],
    ["non-hex span id", `00-${TRACE}-${SPAN.slice(0, 15)}z-01`],
    ["non-hex flags", `00-${TRACE}-${SPAN}-0z`],
    ["wrong separators", `00_${TRACE}_${SPAN}_01`],
    ["shifted fields", `00-${TRACE}0-${SPAN.slice(1)}-01`],
  ])("rejects %s", (_, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it("formatTraceparent writes what parseTraceparent reads", () => {
    const header = formatTraceparent({ traceId: TRACE, spanId: SPAN, traceFlags: 1 });
    expect(header).toBe(VALID);
    expect(formatTraceparent({ traceId: TRACE, spanId: SPAN, traceFlags: 0 })).toBe(`00-${TRACE}-${SPAN}-00`);
  });
});

describe("parseXrayTraceHeader", () => {
  const root = "1-5759e988-bd862e3fe1be46a994272793";

  it("converts Root and Parent to W3C ids and Sampled to the flag", () => {
    expect(parseXrayTraceHeader(`Root=${root};Parent=53995c3f42cd8ad8;Sampled=1`)).toEqual({
      traceId: "5759e988bd862e3fe1be46a994272793",
      spanId: "53995c3f42cd8ad8",
      traceFlags: 1,
      carrier: "AWSTraceHeader",
    });
  });

  it("is not sampled with Sampled=0, ?, or none; field order and spaces do not matter", () => {
    expect(parseXrayTraceHeader(`Root=${root};Parent=53995c3f42cd8ad8;Sampled=0`)?.traceFlags).toBe(0);
    expect(parseXrayTraceHeader(`Root=${root};Parent=53995c3f42cd8ad8;Sampled=?`)?.traceFlags).toBe(0);
    expect(parseXrayTraceHeader(`Parent=53995c3f42cd8ad8; Root=${root}`)).toMatchObject({ traceId: "5759e988bd862e3fe1be46a994272793", traceFlags: 0 });
    expect(parseXrayTraceHeader(`Self=1-abc;Root=${root};Parent=53995C3F42CD8AD8;Lineage=a:1;Sampled=1`)?.spanId).toBe("53995c3f42cd8ad8");
  });

  it.each([
    ["empty", ""],
    ["no Parent (a Lambda-style header without a span)", `Root=${root};Sampled=1`],
    ["no Root", "Parent=53995c3f42cd8ad8;Sampled=1"],
    ["Root version 2", "Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8"],
    ["short Root", "Root=1-5759e988-bd862e3fe1be46a99427279;Parent=53995c3f42cd8ad8"],
    ["non-hex Root", "Root=1-5759e98g-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8"],
    ["all-zero Root", `Root=1-00000000-${"0".repeat(24)};Parent=53995c3f42cd8ad8`],
    ["short Parent", `Root=${root};Parent=53995c3f42cd8ad`],
    ["all-zero Parent", `Root=${root};Parent=0000000000000000`],
    ["garbage", ";;==;Root;Parent"],
    ["a W3C header", VALID],
  ])("rejects %s", (_, header) => {
    expect(parseXrayTraceHeader(header)).toBeUndefined();
  });
});

describe("producerTraceContext", () => {
  const xray = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

  it("prefers the traceparent message attribute, with tracestate", () => {
    const context = producerTraceContext({
      MessageAttributes: { traceparent: { DataType: "String", StringValue: VALID }, tracestate: { DataType: "String", StringValue: "v=1" } },
      Attributes: { AWSTraceHeader: xray },
    });
    expect(context).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 1, traceState: "v=1", carrier: "traceparent" });
  });

  it("falls back to AWSTraceHeader when traceparent is absent, malformed or not a string", () => {
    expect(producerTraceContext({ Attributes: { AWSTraceHeader: xray } })?.carrier).toBe("AWSTraceHeader");
    expect(producerTraceContext({ MessageAttributes: { traceparent: { DataType: "String", StringValue: "00-bad" } }, Attributes: { AWSTraceHeader: xray } })?.carrier).toBe(
      "AWSTraceHeader",
    );
    expect(producerTraceContext({ MessageAttributes: { traceparent: { DataType: "Binary" } }, Attributes: { AWSTraceHeader: xray } })?.carrier).toBe("AWSTraceHeader");
    expect(producerTraceContext({ MessageAttributes: { traceparent: { DataType: "Number", StringValue: VALID } } })).toBeUndefined();
  });

  it("finds a capitalised Traceparent", () => {
    expect(producerTraceContext({ MessageAttributes: { Traceparent: { DataType: "String", StringValue: VALID } } })?.traceId).toBe(TRACE);
  });

  it("yields nothing for messages without a context, and never throws on odd shapes", () => {
    expect(producerTraceContext({})).toBeUndefined();
    expect(producerTraceContext({ MessageAttributes: {}, Attributes: {} })).toBeUndefined();
    const odd = [null, undefined, 42, "x", { MessageAttributes: null }, { MessageAttributes: { traceparent: null } }, { Attributes: null }, { Attributes: { AWSTraceHeader: 7 } }];
    for (const message of odd) expect(producerTraceContext(message as never)).toBeUndefined();
  });
});

describe("errorType", () => {
  it("is the AWS error name, a system error code, or _OTHER — never the message", () => {
    expect(errorType(Object.assign(new Error("Rate exceeded for secret-ish things"), { name: "ThrottlingException" }))).toBe("ThrottlingException");
    expect(errorType(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1"), { code: "ECONNREFUSED" }))).toBe("ECONNREFUSED");
    expect(errorType(new TypeError("x"))).toBe("TypeError");
    expect(errorType(new Error("plain"))).toBe("Error");
    expect(errorType(Object.assign(new Error("x"), { name: "has spaces and a secret AKIA..." }))).toBe("_OTHER");
    expect(errorType("a string")).toBe("_OTHER");
    expect(errorType(undefined)).toBe("_OTHER");
    expect(errorType({ name: "x".repeat(100) })).toBe("_OTHER");
  });
});

describe("sourceKindOf", () => {
  it("reads a source's mark (a string or a getter), else custom", async () => {
    const { markSourceKind, sourceKindOf } = await import("../../src/telemetry/source-kind.js");
    let chosen = "pending";
    expect(sourceKindOf(markSourceKind(async () => ({}), "web-identity"))).toBe("web-identity");
    const chain = markSourceKind(async () => ({}), () => `chain:${chosen}`);
    expect(sourceKindOf(chain)).toBe("chain:pending");
    chosen = "container";
    expect(sourceKindOf(chain)).toBe("chain:container");
    expect(Object.keys(chain)).toEqual([]);
    expect(sourceKindOf(async () => ({}))).toBe("custom");
    expect(sourceKindOf(markSourceKind(async () => ({}), "Has Spaces"))).toBe("custom");
    expect(sourceKindOf(markSourceKind(async () => ({}), () => { throw new Error("x"); }))).toBe("custom");
    expect(sourceKindOf(null)).toBe("custom");
  });
});
