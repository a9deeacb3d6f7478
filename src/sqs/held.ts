/**
 * A received message while `consume` has it in hand: what the delete batcher needs (its receipt handle
 * and attempts) plus the message itself and a key for the visibility heartbeat.
 */
import type { Message } from "@aws-sdk/client-sqs";
import type { DeleteEntry } from "./delete-batcher.js";
import type { VisibilityHeartbeat } from "./visibility-heartbeat.js";

export interface Held extends DeleteEntry {
  message: Message;
  /** Identity for the heartbeat: a message id can come back while its first copy is still in hand. */
  key: object;
}

/**
 * Takes a receive's messages in hand: each is kept invisible by the heartbeat from `windowStartedAt` (when
 * the receive was sent, so the first extension comes before its visibility runs out). Messages without a
 * receipt handle cannot be deleted or extended and are skipped.
 */
export function holdReceived(messages: readonly Message[], heartbeat: Pick<VisibilityHeartbeat, "track">, windowStartedAt: number): Held[] {
  const helds: Held[] = [];
  for (const message of messages) {
    if (!message.ReceiptHandle) continue;
    const held: Held = { message, receiptHandle: message.ReceiptHandle, attempts: 0, key: {} };
    heartbeat.track(held.key, held.receiptHandle, windowStartedAt);
    helds.push(held);
  }
  return helds;
}
