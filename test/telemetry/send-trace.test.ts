/**
 * `sendMessages` and `createBatchSender` put the active trace context on each message (as
 * `withTraceContext` does): the context of the caller of `send`, per message, through real batches.
 */
import { SpanKind } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { createBatchSender, sendMessages } from "../../src/sqs/index.js";
import { fakeSqsForFile } from "../sqs/support.js";
import { otelEachTest } from "./support.js";

const aws = fakeSqsForFile();
const otel = otelEachTest();

const traceparentOf = (name: string, body: string): string | undefined =>
  aws.fake.sqs.messages(name).find((m) => m.body === body)?.messageAttributes.traceparent?.StringValue;

describe("trace context on sent messages", () => {
  it("sendMessages: each message carries the active span's traceparent; telemetry: false adds nothing", async () => {
    const url = aws.fake.sqs.createQueue("traced-send");
    const tracer = otel.tracerProvider.getTracer("producer");
    const spanId = await tracer.startActiveSpan("publish", { kind: SpanKind.PRODUCER }, async (span) => {
      await sendMessages(aws.client, url, [{ MessageBody: "a" }, { MessageBody: "b", MessageAttributes: { tenant: { DataType: "String", StringValue: "t1" } } }], { maxMessageBytes: 1_048_576 });
      await sendMessages(aws.client, url, [{ MessageBody: "off" }], { maxMessageBytes: 1_048_576, telemetry: false });
      span.end();
      return `${span.spanContext().traceId}-${span.spanContext().spanId}`;
    });
    expect(traceparentOf("traced-send", "a")).toBe(`00-${spanId}-01`);
    expect(traceparentOf("traced-send", "b")).toBe(`00-${spanId}-01`);
    expect(aws.fake.sqs.messages("traced-send").find((m) => m.body === "b")?.messageAttributes.tenant?.StringValue).toBe("t1");
    expect(traceparentOf("traced-send", "off")).toBeUndefined();
  });

  it("createBatchSender: each message carries the context of its own send(), though they share a batch", async () => {
    const url = aws.fake.sqs.createQueue("traced-sender");
    const sender = createBatchSender(aws.client, url, { lingerMs: 30, maxMessageBytes: 1_048_576 });
    const tracer = otel.tracerProvider.getTracer("producer");
    const ids = await Promise.all(
      ["r1", "r2"].map((body) =>
        tracer.startActiveSpan(`request ${body}`, async (span) => {
          const result = sender.send({ MessageBody: body });
          span.end();
          await result;
          return `${span.spanContext().traceId}-${span.spanContext().spanId}`;
        }),
      ),
    );
    await sender.close();
    expect(sender.stats.calls).toBe(1);
    expect(traceparentOf("traced-sender", "r1")).toBe(`00-${ids[0]}-01`);
    expect(traceparentOf("traced-sender", "r2")).toBe(`00-${ids[1]}-01`);
  });
});
