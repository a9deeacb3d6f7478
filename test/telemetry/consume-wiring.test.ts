/**
 * `consume` with telemetry, through the real SQS client and the fake: messages produced with
 * `withTraceContext` (or X-Ray's `AWSTraceHeader`) are handled in CONSUMER spans of the producer's trace,
 * the handler runs inside them, and the messaging metrics count them — standard and FIFO queues, batch
 * handlers, narrowed attribute lists, handler errors; `telemetry: false` records nothing.
 */
import { SendMessageCommand, type Message, type MessageAttributeValue } from "@aws-sdk/client-sqs";
import { metrics, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { beforeEach, describe, expect, it } from "vitest";
import { consume, withTraceContext, type ConsumeOptions } from "../../src/sqs/index.js";
import { METRIC } from "../../src/telemetry/names.js";
import { fakeSqsForFile, waitFor } from "../sqs/support.js";
import { histogramCount, otelEachTest, point, points } from "./support.js";

const aws = fakeSqsForFile();
const otel = otelEachTest();
const providers = otel.providers;
let queueCount = 0;

interface Sent {
  traceId: string;
  spanId: string;
  body: string;
}

/** Sends each body inside its own producer span, with the trace context added by `withTraceContext`. */
async function sendTraced(queueUrl: string, bodies: string[], extra: Partial<{ MessageGroupId: string; attributes: Record<string, MessageAttributeValue> }> = {}): Promise<Sent[]> {
  const tracer = otel.tracerProvider.getTracer("producer");
  const sent: Sent[] = [];
  for (const body of bodies) {
    sent.push(
      await tracer.startActiveSpan("publish", { kind: SpanKind.PRODUCER }, async (span) => {
        await aws.client.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: body,
            MessageAttributes: withTraceContext(extra.attributes),
            ...(extra.MessageGroupId !== undefined && { MessageGroupId: extra.MessageGroupId, MessageDeduplicationId: body }),
          }),
        );
        span.end();
        return { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, body };
      }),
    );
  }
  return sent;
}

/** Runs a consumer until `count` messages were handled (or failed), then stops it. */
async function consumeAll(queueUrl: string, count: number, options: Partial<ConsumeOptions>): Promise<void> {
  let seen = 0;
  const handler = options.handler;
  const consumer = consume({
    client: aws.client,
    queueUrl,
    WaitTimeSeconds: 1,
    deleteFlushDelayMs: 5,
    ...options,
    ...(handler && {
      handler: async (message, context) => {
        try {
          return await handler(message, context);
        } finally {
          seen += 1;
        }
      },
    }),
    ...(options.batchHandler && {
      batchHandler: async (messages: Message[], context) => {
        try {
          return await options.batchHandler!(messages, context);
        } finally {
          seen += messages.length;
        }
      },
    }),
  });
  try {
    await waitFor(() => seen >= count, 10_000, `${count} messages handled`);
  } finally {
    await consumer.stop();
  }
}

const consumerSpans = () => otel.spans().filter((s) => s.kind === SpanKind.CONSUMER);

describe("consume, standard queue", () => {
  it("each message is handled in a CONSUMER span of its producer's trace, the handler's own spans nest under it, and the messaging metrics count it", async () => {
    const queueUrl = aws.fake.sqs.createQueue(`wired-${++queueCount}`);
    const queue = `wired-${queueCount}`;
    const sent = await sendTraced(queueUrl, ["a", "b", "c"]);
    const app = otel.tracerProvider.getTracer("app");
    await consumeAll(queueUrl, 3, {
      telemetry: providers(),
      handler: async (message) => {
        app.startSpan(`save ${message.Body}`).end(); // in the active context, like any instrumented library
      },
    });

    const spans = consumerSpans();
    expect(spans).toHaveLength(3);
    for (const producer of sent) {
      const span = spans.find((s) => s.spanContext().traceId === producer.traceId)!;
      expect(span.name).toBe(`process ${queue}`);
      expect(span.parentSpanContext?.spanId).toBe(producer.spanId);
      expect(span.links.map((l) => l.context.spanId)).toEqual([producer.spanId]);
      expect(span.attributes).toMatchObject({ "messaging.system": "aws_sqs", "messaging.destination.name": queue, "messaging.operation.type": "process" });
      const user = otel.spans().find((s) => s.name === `save ${producer.body}`)!;
      expect(user.parentSpanContext?.spanId).toBe(span.spanContext().spanId);
      expect(user.spanContext().traceId).toBe(producer.traceId);
    }

    const m = await otel.metrics();
    const common = { "messaging.system": "aws_sqs", "messaging.destination.name": queue };
    expect(point(m, METRIC.consumedMessages, { ...common, "messaging.operation.name": "receive" })?.value).toBe(3);
    expect(histogramCount(point(m, METRIC.processDuration, { ...common, "messaging.operation.name": "process" }))).toBe(3);
  });

  it("a failing handler: ERROR span, error.type on the duration; the message is still left for redelivery", async () => {
    const queueUrl = aws.fake.sqs.createQueue(`wired-${++queueCount}`);
    const queue = `wired-${queueCount}`;
    const [producer] = await sendTraced(queueUrl, ["bad"]);
    const failed: string[] = [];
    await consumeAll(queueUrl, 1, {
      telemetry: providers(),
      handler: () => {
        throw Object.assign(new Error("order 42 rejected"), { name: "OrderRejected" });
      },
      onFailed: (message) => failed.push(message.Body ?? ""),
    });
    expect(failed).toEqual(["bad"]);
    const [span] = consumerSpans();
    expect(span!.spanContext().traceId).toBe(producer!.traceId);
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes["error.type"]).toBe("OrderRejected");
    const m = await otel.metrics();
    expect(
      histogramCount(point(m, METRIC.processDuration, { "messaging.system": "aws_sqs", "messaging.destination.name": queue, "messaging.operation.name": "process", "error.type": "OrderRejected" })),
    ).toBe(1);
  });

  it("narrowed attribute lists still bring the trace context: traceparent, and X-Ray's AWSTraceHeader", async () => {
    const queueUrl = aws.fake.sqs.createQueue(`wired-${++queueCount}`);
    const [w3c] = await sendTraced(queueUrl, ["w3c"], { attributes: { tenant: { DataType: "String", StringValue: "acme" } } });
    await aws.client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: "xray",
        MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1" } },
      }),
    );
    const tenants: (string | undefined)[] = [];
    await consumeAll(queueUrl, 2, {
      telemetry: providers(),
      MessageAttributeNames: ["tenant"],
      MessageSystemAttributeNames: ["ApproximateReceiveCount"],
      handler: (message) => {
        if (message.Body === "w3c") tenants.push(message.MessageAttributes?.tenant?.StringValue);
      },
    });
    expect(tenants).toEqual(["acme"]);
    const spans = consumerSpans();
    const xray = spans.find((s) => s.spanContext().traceId === "5759e988bd862e3fe1be46a994272793");
    expect(xray?.parentSpanContext).toMatchObject({ spanId: "53995c3f42cd8ad8", isRemote: true });
    expect(spans.find((s) => s.spanContext().traceId === w3c!.traceId)?.parentSpanContext?.spanId).toBe(w3c!.spanId);
  });

  it("a batch handler gets one span linked to every producer", async () => {
    const queueUrl = aws.fake.sqs.createQueue(`wired-${++queueCount}`);
    const sent = await sendTraced(queueUrl, ["1", "2", "3"]);
    await consumeAll(queueUrl, 3, { telemetry: providers(), MaxNumberOfMessages: 10, concurrency: 10, batchHandler: async () => undefined });
    const links = consumerSpans().flatMap((s) => s.links.map((l) => l.context.spanId));
    expect(links.sort()).toEqual(sent.map((s) => s.spanId).sort());
    const m = await otel.metrics();
    expect(points(m, METRIC.consumedMessages).reduce((n, p) => n + (p.value as number), 0)).toBe(3);
  });
});

describe("consume, FIFO queue", () => {
  it("per message in group order, each in its producer's trace", async () => {
    const queue = `wired-${++queueCount}.fifo`;
    const queueUrl = aws.fake.sqs.createQueue(queue, { FifoQueue: "true" });
    const a = await sendTraced(queueUrl, ["a1", "a2"], { MessageGroupId: "a" });
    const b = await sendTraced(queueUrl, ["b1"], { MessageGroupId: "b" });
    const order: string[] = [];
    const app = otel.tracerProvider.getTracer("app");
    await consumeAll(queueUrl, 3, {
      telemetry: providers(),
      MessageSystemAttributeNames: ["ApproximateReceiveCount"],
      handler: async (message) => {
        order.push(message.Body ?? "");
        app.startSpan(`save ${message.Body}`).end();
      },
    });
    expect(order.filter((body) => body.startsWith("a"))).toEqual(["a1", "a2"]);
    const spans = consumerSpans();
    expect(spans).toHaveLength(3);
    for (const producer of [...a, ...b]) {
      const span = spans.find((s) => s.parentSpanContext?.spanId === producer.spanId)!;
      expect(span.name).toBe(`process ${queue}`);
      expect(span.spanContext().traceId).toBe(producer.traceId);
      expect(otel.spans().find((s) => s.name === `save ${producer.body}`)?.parentSpanContext?.spanId).toBe(span.spanContext().spanId);
    }
    const m = await otel.metrics();
    expect(histogramCount(point(m, METRIC.processDuration, { "messaging.system": "aws_sqs", "messaging.destination.name": queue, "messaging.operation.name": "process" }))).toBe(3);
  });
});

describe("global providers, and telemetry: false", () => {
  beforeEach(() => {
    metrics.setGlobalMeterProvider(otel.meterProvider);
    trace.setGlobalTracerProvider(otel.tracerProvider);
  });

  it("without the option, consume reports to the global providers", async () => {
    const queueUrl = aws.fake.sqs.createQueue(`wired-${++queueCount}`);
    await sendTraced(queueUrl, ["x"]);
    await consumeAll(queueUrl, 1, { handler: () => undefined });
    expect(consumerSpans()).toHaveLength(1);
    expect(points(await otel.metrics(), METRIC.processDuration)).toHaveLength(1);
  });

  it("telemetry: false records nothing, and the handler runs outside any span", async () => {
    const queueUrl = aws.fake.sqs.createQueue(`wired-${++queueCount}`);
    await sendTraced(queueUrl, ["x"]);
    const producerSpans = otel.spans().length;
    let active: unknown = "unset";
    await consumeAll(queueUrl, 1, {
      telemetry: false,
      handler: () => {
        active = trace.getActiveSpan();
      },
    });
    expect(active).toBeUndefined();
    expect(otel.spans()).toHaveLength(producerSpans);
    const m = await otel.metrics();
    expect([...m.keys()].filter((n) => n.startsWith("messaging."))).toEqual([]);
  });
});
