/**
 * Traces across SQS through the real SDK client and the fake: the producer helper writes the active
 * context into message attributes (within the 10-attribute limit), the consumer helper continues it in a
 * CONSUMER span per message, with the user's spans nested inside; X-Ray's AWSTraceHeader works too.
 */
import { ReceiveMessageCommand, SendMessageCommand, type Message, type MessageAttributeValue } from "@aws-sdk/client-sqs";
import { context, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { beforeEach, describe, expect, it } from "vitest";
import { injectTraceContext, withTraceContext } from "../../src/sqs/trace-context.js";
import { consumerTelemetry, queueOf, withProcessTelemetry } from "../../src/telemetry/messaging.js";
import { METRIC } from "../../src/telemetry/names.js";
import { producerTraceContext } from "../../src/telemetry/trace-context.js";
import { fakeSqsForFile } from "../sqs/support.js";
import { histogramCount, otelEachTest, point, useGlobalContext } from "./support.js";

const aws = fakeSqsForFile();
// The global context and propagator differ per describe below (useGlobalContext); otelEachTest undoes them.
const otel = otelEachTest({ globalContext: false });
const providers = otel.providers;
let queueUrl: string;
let queueCount = 0;

beforeEach(() => {
  queueUrl = aws.fake.sqs.createQueue(`traced-${++queueCount}`);
});

async function receiveOne(): Promise<Message> {
  const out = await aws.client.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] }),
  );
  expect(out.Messages).toHaveLength(1);
  return out.Messages![0]!;
}

/** Sends inside an active producer span; returns that span's context. */
async function sendInSpan(attributes: () => Record<string, MessageAttributeValue> | undefined): Promise<{ traceId: string; spanId: string }> {
  const tracer = otel.tracerProvider.getTracer("producer");
  return tracer.startActiveSpan("publish", { kind: SpanKind.PRODUCER }, async (span) => {
    await aws.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "order 42", MessageAttributes: attributes() }));
    span.end();
    return { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
  });
}

describe("producer → SQS → consumer, W3C", () => {
  beforeEach(() => {
    useGlobalContext();
  });

  it("withTraceContext puts the active context on the message; the consumer span continues that trace, and the handler's spans nest under it", async () => {
    const producer = await sendInSpan(() => withTraceContext({ tenant: { DataType: "String", StringValue: "acme" } }));
    const message = await receiveOne();
    expect(message.MessageAttributes?.tenant?.StringValue).toBe("acme");
    expect(message.MessageAttributes?.traceparent?.StringValue).toBe(`00-${producer.traceId}-${producer.spanId}-01`);
    expect(producerTraceContext(message)).toMatchObject({ traceId: producer.traceId, spanId: producer.spanId, carrier: "traceparent" });

    const telemetry = consumerTelemetry(providers(), { queueUrl });
    telemetry?.received(1);
    const result = await withProcessTelemetry(telemetry, message, async () => {
      otel.tracerProvider.getTracer("app").startSpan("save order").end(); // started in the active context
      return "done";
    });
    expect(result).toBe("done");

    const spans = otel.spans();
    const process = spans.find((s) => s.kind === SpanKind.CONSUMER)!;
    const user = spans.find((s) => s.name === "save order")!;
    const queue = queueOf(queueUrl).name;
    expect(process.name).toBe(`process ${queue}`);
    expect(process.spanContext().traceId).toBe(producer.traceId);
    expect(process.parentSpanContext?.spanId).toBe(producer.spanId);
    expect(process.links.map((l) => l.context.spanId)).toEqual([producer.spanId]);
    expect(process.attributes).toEqual({
      "messaging.system": "aws_sqs",
      "messaging.destination.name": queue,
      "messaging.operation.name": "process",
      "messaging.operation.type": "process",
      "messaging.message.id": message.MessageId,
      "server.address": "127.0.0.1",
    });
    expect(user.parentSpanContext?.spanId).toBe(process.spanContext().spanId);
    expect(user.spanContext().traceId).toBe(producer.traceId);

    const m = await otel.metrics();
    expect(point(m, METRIC.consumedMessages, { "messaging.system": "aws_sqs", "messaging.destination.name": queue, "messaging.operation.name": "receive" })?.value).toBe(1);
    expect(histogramCount(point(m, METRIC.processDuration, { "messaging.system": "aws_sqs", "messaging.destination.name": queue, "messaging.operation.name": "process" }))).toBe(1);
  });

  it("a failing handler: the same error rethrown, ERROR span with the exception, error.type on the duration", async () => {
    await sendInSpan(() => withTraceContext());
    const message = await receiveOne();
    const failure = Object.assign(new Error("order rejected"), { name: "OrderRejected" });
    const telemetry = consumerTelemetry(providers(), { queueUrl })!;
    await expect(telemetry.process(message, () => Promise.reject(failure))).rejects.toBe(failure);
    const process = otel.spans().find((s) => s.kind === SpanKind.CONSUMER)!;
    expect(process.status.code).toBe(SpanStatusCode.ERROR);
    expect(process.attributes["error.type"]).toBe("OrderRejected");
    expect(process.events.map((e) => e.name)).toEqual(["exception"]);
    const queue = queueOf(queueUrl).name;
    const m = await otel.metrics();
    expect(
      histogramCount(point(m, METRIC.processDuration, { "messaging.system": "aws_sqs", "messaging.destination.name": queue, "messaging.operation.name": "process", "error.type": "OrderRejected" })),
    ).toBe(1);
  });

  it("producerContextAs: 'link' starts a new trace per message, linked to the producer", async () => {
    const producer = await sendInSpan(() => withTraceContext());
    const message = await receiveOne();
    await consumerTelemetry(providers(), { queueUrl, producerContextAs: "link" })!.process(message, async () => undefined);
    const process = otel.spans().find((s) => s.kind === SpanKind.CONSUMER)!;
    expect(process.parentSpanContext).toBeUndefined();
    expect(process.spanContext().traceId).not.toBe(producer.traceId);
    expect(process.links.map((l) => l.context.traceId)).toEqual([producer.traceId]);
  });

  it("the consumer span never inherits the context consume was started in", async () => {
    const producer = await sendInSpan(() => withTraceContext());
    const message = await receiveOne();
    const telemetry = consumerTelemetry(providers(), { queueUrl })!;
    const startup = otel.tracerProvider.getTracer("app").startSpan("startup");
    await context.with(trace.setSpan(context.active(), startup), () => telemetry.process(message, async () => undefined));
    await context.with(trace.setSpan(context.active(), startup), () => telemetry.process({ MessageId: "no-context" }, async () => undefined));
    startup.end();
    const [withProducer, without] = otel.spans().filter((s) => s.kind === SpanKind.CONSUMER);
    expect(withProducer!.parentSpanContext?.spanId).toBe(producer.spanId);
    expect(without!.parentSpanContext).toBeUndefined();
    expect(without!.spanContext().traceId).not.toBe(startup.spanContext().traceId);
    expect(without!.links).toEqual([]);
  });

  it("a batch gets one span linked to every message's producer", async () => {
    const a = await sendInSpan(() => withTraceContext());
    const b = await sendInSpan(() => withTraceContext());
    const out = await aws.client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"] }));
    expect(out.Messages).toHaveLength(2);
    await consumerTelemetry(providers(), { queueUrl })!.processBatch(out.Messages!, async () => undefined);
    const process = otel.spans().find((s) => s.kind === SpanKind.CONSUMER)!;
    expect(process.attributes["messaging.batch.message_count"]).toBe(2);
    expect(process.links.map((l) => l.context.spanId).sort()).toEqual([a.spanId, b.spanId].sort());
  });
});

describe("the 10-attribute limit and other edges of injectTraceContext", () => {
  beforeEach(() => {
    useGlobalContext();
  });

  const attributes = (n: number): Record<string, MessageAttributeValue> =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, { DataType: "String", StringValue: String(i) }]));

  it("a message that already has 10 attributes is sent unchanged, and the logger says why the trace stops there", async () => {
    const warnings: string[] = [];
    const own = attributes(10);
    let report: ReturnType<typeof injectTraceContext> | undefined;
    await sendInSpan(() => {
      report = injectTraceContext(own, { logger: { warn: (m: string) => warnings.push(m) } });
      return report.messageAttributes;
    });
    expect(report!.added).toEqual([]);
    expect(report!.skipped).toEqual([{ name: "traceparent", reason: "limit" }]);
    expect(report!.messageAttributes).toEqual(own);
    expect(report!.messageAttributes).not.toBe(own);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/traceparent not added: the message already has 10 attributes \(the SQS limit\); the consumer cannot continue this trace/);
    const message = await receiveOne();
    expect(Object.keys(message.MessageAttributes ?? {})).toHaveLength(10);
  });

  it("with 9, traceparent takes the last slot and tracestate is the one left out", async () => {
    const tracer = otel.tracerProvider.getTracer("producer");
    const parent = trace.setSpanContext(context.active(), {
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      traceFlags: 1,
      isRemote: true,
      traceState: (await import("@opentelemetry/api")).createTraceState("vendor=abc"),
    });
    const report = context.with(parent, () => tracer.startActiveSpan("publish", (span) => {
      span.end();
      return injectTraceContext(attributes(9));
    }));
    expect(report.added).toEqual(["traceparent"]);
    expect(report.skipped).toEqual([{ name: "tracestate", reason: "limit" }]);
    await aws.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "x", MessageAttributes: report.messageAttributes }));
    expect(producerTraceContext(await receiveOne())?.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
  });

  it("a traceparent the application set is kept, and tracestate rides along when there is room", async () => {
    const mine = "00-11111111111111111111111111111111-2222222222222222-01";
    const report = otel.tracerProvider.getTracer("p").startActiveSpan("publish", (span) => {
      span.end();
      return injectTraceContext({ traceparent: { DataType: "String", StringValue: mine } });
    });
    expect(report.messageAttributes.traceparent?.StringValue).toBe(mine);
    expect(report.skipped).toEqual([{ name: "traceparent", reason: "present" }]);
  });

  it("adds nothing without an active span or with telemetry: false; a bad argument or a throwing logger does not throw", () => {
    expect(withTraceContext()).toEqual({});
    const own = attributes(2);
    otel.tracerProvider.getTracer("p").startActiveSpan("publish", (span) => {
      expect(withTraceContext(own, { telemetry: false })).toEqual(own);
      expect(withTraceContext("nonsense" as never)).toHaveProperty("traceparent");
      expect(() => withTraceContext(attributes(10), { logger: { warn: () => { throw new Error("bad logger"); } } })).not.toThrow();
      span.end();
    });
  });
});

describe("without a registered propagator", () => {
  beforeEach(() => {
    useGlobalContext({ propagator: false });
  });

  it("still writes a W3C traceparent (and tracestate) from the active span", () => {
    const tracer = otel.tracerProvider.getTracer("producer");
    const parent = trace.setSpanContext(context.active(), { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1, isRemote: true });
    const { span, attrs } = context.with(parent, () =>
      tracer.startActiveSpan("publish", (s) => {
        s.end();
        return { span: s, attrs: withTraceContext() };
      }),
    );
    expect(attrs).toEqual({ traceparent: { DataType: "String", StringValue: `00-4bf92f3577b34da6a3ce929d0e0e4736-${span.spanContext().spanId}-01` } });
  });
});

describe("X-Ray's AWSTraceHeader", () => {
  beforeEach(() => {
    useGlobalContext();
  });

  it("a message sent with the AWSTraceHeader system attribute is processed in that trace, converted to W3C ids", async () => {
    await aws.client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: "from a Lambda with active tracing",
        MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1" } },
      }),
    );
    const message = await receiveOne();
    await consumerTelemetry(providers(), { queueUrl })!.process(message, async () => undefined);
    const process = otel.spans().find((s) => s.kind === SpanKind.CONSUMER)!;
    expect(process.spanContext().traceId).toBe("5759e988bd862e3fe1be46a994272793");
    expect(process.parentSpanContext?.spanId).toBe("53995c3f42cd8ad8");
    expect(process.parentSpanContext?.isRemote).toBe(true);
  });
});

describe("with a propagator that writes more fields", () => {
  beforeEach(() => {
    useGlobalContext({ propagator: false });
    propagation.setGlobalPropagator({
      inject: (_context, carrier, setter) => {
        setter.set(carrier, "bad name!", "x");
        setter.set(carrier, "baggage", "tenant=acme");
      },
      extract: (c) => c,
      fields: () => ["bad name!", "baggage"],
    });
  });

  it("its valid fields ride along after traceparent; a field SQS would reject is left out, and the send succeeds", async () => {
    let report: ReturnType<typeof injectTraceContext> | undefined;
    const producer = await sendInSpan(() => (report = injectTraceContext()).messageAttributes);
    expect(report!.added).toEqual(["traceparent", "baggage"]);
    expect(report!.skipped).toEqual([{ name: "bad name!", reason: "invalid-name" }]);
    const message = await receiveOne();
    expect(message.MessageAttributes?.baggage?.StringValue).toBe("tenant=acme");
    expect(producerTraceContext(message)?.spanId).toBe(producer.spanId);
  });
});
