/**
 * The message records of a fake queue, in a file of their own: the queue and the sets that order its
 * visible messages (standard, FIFO) and the receive-attempt cache all use them, and none of those need the
 * queue itself. (They lived in queue.ts, which made every one of those files and queue.ts import each other.)
 */
import type { StoredAttribute } from "./md5.js";

export type MessageState = "delayed" | "visible" | "inflight" | "deleted";

export interface QueueMessage {
  readonly id: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly attributes: Readonly<Record<string, StoredAttribute>>;
  readonly md5OfAttributes: string | undefined;
  readonly systemAttributes: Readonly<Record<string, StoredAttribute>>;
  readonly senderId: string;
  readonly sentAt: number;
  firstReceivedAt: number | undefined;
  receiveCount: number;
  state: MessageState;
  /** When a delayed or in-flight message becomes visible (epoch ms). */
  visibleAt: number;
  /** Bumped on every visibility change, so heap entries made before it are recognized as stale. */
  version: number;
  /** Which receive issued the current receipt handle (0: never received). */
  receiveSeq: number;
  /** `MessageGroupId` (FIFO queues; standard queues keep it for fair queues). */
  readonly groupId: string | undefined;
  /** FIFO: the deduplication id given or derived from the body. */
  readonly dedupId: string | undefined;
  /** FIFO: SQS's `SequenceNumber`, and the same as a number for ordering (0 on standard queues). */
  readonly sequenceNumber: string | undefined;
  readonly fifoOrder: number;
  /** Set when redrive moved the message here: the ARN of the queue it came from. */
  readonly deadLetterSourceArn: string | undefined;
}

/** One message handed out by a receive, with what the response shows as of that receive. */
export interface ReceivedMessage {
  message: QueueMessage;
  receiptHandle: string;
  receiveCount: number;
  firstReceivedAt: number;
}
