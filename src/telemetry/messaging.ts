/**
 * Telemetry of `consume`, after the OpenTelemetry messaging conventions: one CONSUMER span
 * `process <queue>` per handled message, `messaging.client.consumed.messages` per receive and
 * `messaging.process.duration` per handling, all with `messaging.system` = `aws_sqs` and
 * `messaging.destination.name` = the queue name.
 *
 * Parent or link. The conventions require a link from a "process" span to the message's creation
 * context and allow it as the parent when the span handles one message. We do both by default: the
 * producer's context is the parent (the message's handling shows up inside the producer's trace, which is
 * what a user opening that trace expects) and a link (what tools that follow links need). The span never
 * inherits the ambient context: `consume` is long-lived, and whatever span was active when it started
 * would otherwise become the parent of every message. With `producerContextAs: "link"` (many consumers
 * of one message, or a producer trace that must stay small), each message starts a new trace, linked.
 * A batch handler gets one span for the batch, linked to every message's producer.
 */
import type { Attributes, Context, Link, SpanContext } from "@opentelemetry/api";
import { errorType } from "./error-type.js";
import { ATTR } from "./names.js";
import type { TelemetryOption } from "./options.js";
import { runInSpan } from "./run-in-span.js";
import { resolveTelemetry, type TelemetryScope } from "./scope.js";
import { producerTraceContext, type RemoteTraceContext, type SqsMessageLike } from "./trace-context.js";

export interface ConsumerTelemetryInit {
  queueUrl: string;
  /** Whether the producer's context is the span's parent (default) or only a link. */
  producerContextAs?: "parent" | "link";
}

/**
 * The queue name and host of a queue URL (`https://sqs.eu-west-1.amazonaws.com/123456789012/orders`
 * → `orders`, `sqs.eu-west-1.amazonaws.com`); the URL itself when it does not parse.
 *
 * @example
 * ```ts
 * queueOf("http://127.0.0.1:4566/000000000000/jobs.fifo"); // { name: "jobs.fifo", host: "127.0.0.1" }
 * ```
 */
export function queueOf(queueUrl: string): { name: string; host: string | undefined } {
  try {
    const url = new URL(queueUrl);
    const name = url.pathname.split("/").filter((p) => p.length > 0).pop();
    return { name: name ?? queueUrl, host: url.hostname.length > 0 ? url.hostname : undefined };
  } catch {
    return { name: queueUrl, host: undefined };
  }
}

export class ConsumerTelemetry {
  private readonly queue: string;
  private readonly common: Attributes;
  private readonly spanAttributes: Attributes;
  private readonly asParent: boolean;

  constructor(
    private readonly scope: TelemetryScope,
    init: ConsumerTelemetryInit,
  ) {
    const { name, host } = queueOf(init.queueUrl);
    this.queue = name;
    this.common = { [ATTR.messagingSystem]: "aws_sqs", [ATTR.destination]: name };
    this.spanAttributes = { ...this.common, [ATTR.operationName]: "process", [ATTR.operationType]: "process" };
    if (host !== undefined) this.spanAttributes[ATTR.serverAddress] = host;
    this.asParent = init.producerContextAs !== "link";
  }

  /** `count` messages handed to the application by one ReceiveMessage. */
  received(count: number): void {
    if (count > 0) this.scope.instruments()?.consumedMessages.add(count, { ...this.common, [ATTR.operationName]: "receive" });
  }

  /**
   * One SQS call of the consumer or poller, successful or not: `messaging.client.operation.duration`
   * with `messaging.operation.name` = the SQS action (`ReceiveMessage`, `DeleteMessageBatch`, …),
   * `messaging.operation.type` (`receive` for receives, `settle` for the rest) and, when it failed,
   * `error.type` (the AWS error code or class, never the message).
   */
  operation(action: string, seconds: number, error?: unknown): void {
    const attributes: Attributes = {
      ...this.common,
      [ATTR.operationName]: action,
      [ATTR.operationType]: action === "ReceiveMessage" ? "receive" : "settle",
    };
    if (error !== undefined) attributes[ATTR.errorType] = errorType(error);
    this.scope.instruments()?.operationDuration.record(seconds, attributes);
  }

  /**
   * Runs `handler` for one message inside its CONSUMER span (so the handler's own spans nest under it)
   * and records `messaging.process.duration`. What `handler` returns or throws passes through unchanged.
   */
  process<T>(message: SqsMessageLike, handler: () => Promise<T>): Promise<T> {
    const { api } = this.scope;
    const producer = this.remote(producerTraceContext(message));
    const attributes: Attributes = { ...this.spanAttributes };
    if (typeof message.MessageId === "string") attributes[ATTR.messageId] = message.MessageId;
    const parent: Context = producer !== undefined && this.asParent ? api.trace.setSpanContext(api.ROOT_CONTEXT, producer) : api.ROOT_CONTEXT;
    const links: Link[] = producer === undefined ? [] : [{ context: producer }];
    return this.run(`process ${this.queue}`, attributes, links, parent, handler);
  }

  /** Like {@link ConsumerTelemetry.process} for a batch handler: one span, a link per producer context. */
  processBatch<T>(messages: readonly SqsMessageLike[], handler: () => Promise<T>): Promise<T> {
    const links: Link[] = [];
    for (const message of messages) {
      const producer = this.remote(producerTraceContext(message));
      if (producer !== undefined) links.push({ context: producer });
    }
    const attributes: Attributes = { ...this.spanAttributes, "messaging.batch.message_count": messages.length };
    return this.run(`process ${this.queue}`, attributes, links, this.scope.api.ROOT_CONTEXT, handler);
  }

  private run<T>(name: string, attributes: Attributes, links: Link[], parent: Context, handler: () => Promise<T>): Promise<T> {
    const { api } = this.scope;
    const span = this.scope.tracer().startSpan(name, { kind: api.SpanKind.CONSUMER, attributes, links }, parent);
    return runInSpan(
      api,
      span,
      parent,
      handler,
      (end) => {
        const recorded: Attributes = { ...this.common, [ATTR.operationName]: "process" };
        if (end.errorType !== undefined) recorded[ATTR.errorType] = end.errorType;
        this.scope.instruments()?.processDuration.record(end.seconds, recorded);
      },
      // The handler is the user's code: its exception is theirs to see on the span.
      { recordException: true },
    );
  }

  private remote(context: RemoteTraceContext | undefined): SpanContext | undefined {
    if (context === undefined) return undefined;
    const { api } = this.scope;
    const spanContext: SpanContext = { traceId: context.traceId, spanId: context.spanId, traceFlags: context.traceFlags, isRemote: true };
    if (context.traceState !== undefined) {
      try {
        spanContext.traceState = api.createTraceState(context.traceState);
      } catch {
        // An unparsable tracestate is dropped; the traceparent still holds.
      }
    }
    return spanContext;
  }
}

/**
 * `consume`'s telemetry for one queue, or `undefined` when off.
 *
 * @example
 * ```ts
 * const telemetry = consumerTelemetry(options.telemetry, { queueUrl });
 * telemetry?.received(messages.length);
 * await withProcessTelemetry(telemetry, message, () => handler(message, context));
 * ```
 */
export function consumerTelemetry(option: TelemetryOption | undefined, init: ConsumerTelemetryInit): ConsumerTelemetry | undefined {
  const scope = resolveTelemetry(option);
  return scope === undefined ? undefined : new ConsumerTelemetry(scope, init);
}

/**
 * `handler()` inside the message's CONSUMER span when telemetry is on, `handler()` alone when off.
 *
 * @example
 * ```ts
 * await withProcessTelemetry(this.telemetry, message, () => handler(message, context));
 * ```
 */
export function withProcessTelemetry<T>(telemetry: ConsumerTelemetry | undefined, message: SqsMessageLike, handler: () => Promise<T>): Promise<T> {
  return telemetry === undefined ? handler() : telemetry.process(message, handler);
}
