/**
 * Making messages visible again without handling them: messages that arrived while stopping (faster than
 * waiting out their visibility), and FIFO or capped-group messages that must not run (behind a failure,
 * or not started at stop).
 */
import { ChangeMessageVisibilityBatchCommand, type Message, type SQSClient } from "@aws-sdk/client-sqs";
import { chunk } from "./chunk.js";
import type { ConsumeCounters } from "./consume-counters.js";
import type { Held } from "./held.js";
import type { SideCalls } from "./side-calls.js";
import type { StopState } from "./stop-state.js";
import type { VisibilityHeartbeat } from "./visibility-heartbeat.js";

export class MessageRelease {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    private readonly heartbeat: VisibilityHeartbeat,
    private readonly counters: ConsumeCounters,
    private readonly stop: StopState,
    private readonly sideCalls: SideCalls,
  ) {}

  /** Messages in hand that must not run: visible again, in order. */
  handBack(helds: Held[]): void {
    for (const held of helds) this.heartbeat.untrack(held.key);
    // After an abandoned handler: no SQS call once stop() resolved; the messages come back on their own.
    if (this.stop.sealed) return;
    this.release(helds.map((h) => h.message));
  }

  /** Visibility 0 for `messages`, 10 per call, tracked as side calls. */
  release(messages: Message[]): void {
    const handles = messages.map((m) => m.ReceiptHandle).filter((h): h is string => typeof h === "string");
    this.counters.released += handles.length;
    for (const batch of chunk(handles, 10)) {
      this.sideCalls.track(
        this.client.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: batch.map((ReceiptHandle, i) => ({ Id: String(i), ReceiptHandle, VisibilityTimeout: 0 })),
          }),
        ),
      );
    }
  }
}
