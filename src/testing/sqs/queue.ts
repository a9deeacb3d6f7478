/**
 * One fake SQS queue, standard or FIFO: message states, visibility timeouts, delays, receive counts and
 * long-poll waiters. What is FIFO-specific (which messages a receive may take, deduplication, receive
 * attempts) and dead-letter moves live in their own files; this one keeps the states.
 *
 * Visibility is computed lazily: delayed and in-flight messages sit in a min-heap keyed by the time they
 * become visible, and every operation first moves what is due into the visible list. Only while a long
 * poll is waiting does the queue keep one (unref'd) timer, for the earliest such time, so that a message
 * becoming visible again wakes the poll. No timer per message, nothing that keeps a process alive.
 */
import { randomUUID } from "node:crypto";
import { DedupWindow } from "./dedup-window.js";
import { invalidParameter, sqsError } from "./errors.js";
import { FifoVisibleSet } from "./fifo-visible-set.js";
import type { StoredAttribute } from "./md5.js";
import { md5OfAttributes, md5OfBody } from "./md5.js";
import { MinHeap } from "./min-heap.js";
import type { MessageState, QueueMessage, ReceivedMessage } from "./queue-message.js";
import { decodeReceipt, encodeReceipt } from "./receipt-handle.js";
import { ReceiveAttempts } from "./receive-attempts.js";
import { parseRedrivePolicy, type RedrivePolicy } from "./redrive.js";
import { FairVisibleSet } from "./fair-visible-set.js";
import type { VisibleSet } from "./visible-set.js";

// Also from here, for the actions and the service that take them with the queue (kept so that their import
// lines stay as they are while the fakes are being extended; queue-message.ts says why the types live apart).
export type { MessageState, QueueMessage, ReceivedMessage } from "./queue-message.js";

export interface SendInit {
  body: string;
  attributes: Record<string, StoredAttribute>;
  systemAttributes: Record<string, StoredAttribute>;
  senderId: string;
  delaySeconds: number;
  groupId?: string | undefined;
  dedupId?: string | undefined;
  /** A message moved here by redrive keeps its identity and history. */
  moved?: { id: string; sentAt: number; receiveCount: number; firstReceivedAt: number | undefined; sourceArn: string };
}

/** What a send answers: a new message, or (FIFO) the first send of a duplicate. */
export interface SendOutcome {
  messageId: string;
  sequenceNumber: string | undefined;
  duplicate: boolean;
}

/** How a queue finds another by ARN (its dead-letter queue). */
export type QueueByArn = (arn: string) => FakeQueue | undefined;

/** SequenceNumber is a 128-bit number that only grows; SQS shows about 20 digits. */
const SEQUENCE_BASE = 18_000_000_000_000_000_000n;

interface Waiter {
  max: number;
  visibilityTimeoutSeconds: number;
  deliver(messages: ReceivedMessage[]): void;
}

/** What `counts()` reports. */
export interface QueueCounts {
  visible: number;
  inFlight: number;
  delayed: number;
  /** Messages in the queue (visible + in flight + delayed). */
  total: number;
  /** Messages ever sent / handed out by receives / deleted. */
  sent: number;
  received: number;
  deleted: number;
  /** Messages moved to the dead-letter queue by the redrive policy. */
  deadLettered: number;
}

const NOT_AVAILABLE = "Message does not exist or is not available for visibility timeout change.";

/** SQS's default and largest `MaximumMessageSize` since August 2025: 1 MiB (it was 256 KiB before). */
export const DEFAULT_MAXIMUM_MESSAGE_SIZE = 1_048_576;

export class FakeQueue {
  readonly attributes = new Map<string, string>();
  /** Cost allocation tags (TagQueue, CreateQueue's `tags`). */
  readonly tags = new Map<string, string>();
  readonly createdAt: number;
  lastModifiedAt: number;
  lastPurgeAt: number | undefined;

  readonly #now: () => number;
  readonly #visible: VisibleSet;
  readonly #pending = new MinHeap<{ message: QueueMessage; version: number }>();
  readonly #byId = new Map<string, QueueMessage>();
  readonly #waiters = new Set<Waiter>();
  readonly #stats = { visible: 0, inflight: 0, delayed: 0, sent: 0, received: 0, deleted: 0, deadLettered: 0 };
  readonly #dedup = new DedupWindow();
  readonly #attempts = new ReceiveAttempts();
  readonly #queueByArn: QueueByArn;
  #redrive: { raw: string | undefined; policy: RedrivePolicy | undefined } = { raw: undefined, policy: undefined };
  #fifoSeq = 0;
  #receiveSeq = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;

  constructor(
    readonly name: string,
    readonly url: string,
    readonly arn: string,
    attributes: Readonly<Record<string, string>>,
    now: () => number,
    /** FIFO queue (`.fifo` name, `FifoQueue=true`). */
    readonly fifo = false,
    queueByArn: QueueByArn = () => undefined,
  ) {
    this.#now = now;
    this.#queueByArn = queueByArn;
    this.#visible = fifo ? new FifoVisibleSet() : new FairVisibleSet();
    this.createdAt = now();
    this.lastModifiedAt = this.createdAt;
    for (const [key, value] of Object.entries(attributes)) this.attributes.set(key, value);
  }

  #numberAttribute(name: string, fallback: number): number {
    const value = this.attributes.get(name);
    return value === undefined ? fallback : Number(value);
  }

  get visibilityTimeoutSeconds(): number {
    return this.#numberAttribute("VisibilityTimeout", 30);
  }

  get delaySeconds(): number {
    return this.#numberAttribute("DelaySeconds", 0);
  }

  get receiveMessageWaitTimeSeconds(): number {
    return this.#numberAttribute("ReceiveMessageWaitTimeSeconds", 0);
  }

  get maximumMessageSize(): number {
    return this.#numberAttribute("MaximumMessageSize", DEFAULT_MAXIMUM_MESSAGE_SIZE);
  }

  get contentBasedDeduplication(): boolean {
    return this.attributes.get("ContentBasedDeduplication") === "true";
  }

  /** The redrive policy in force (parsed once per value). */
  get redrivePolicy(): RedrivePolicy | undefined {
    const raw = this.attributes.get("RedrivePolicy");
    if (raw !== this.#redrive.raw) this.#redrive = { raw, policy: raw === undefined ? undefined : parseRedrivePolicy(raw) };
    return this.#redrive.policy;
  }

  /** Enqueues a message; on a FIFO queue a duplicate inside the deduplication window is acknowledged, not enqueued. */
  send(init: SendInit): SendOutcome {
    const now = this.#now();
    const dedupKey =
      this.fifo && init.dedupId !== undefined && init.moved === undefined
        ? DedupWindow.key(init.dedupId, init.groupId ?? "", this.attributes.get("DeduplicationScope"))
        : undefined;
    if (dedupKey !== undefined) {
      const first = this.#dedup.duplicateOf(dedupKey, now);
      if (first !== undefined) return { ...first, duplicate: true };
    }
    const order = this.fifo ? ++this.#fifoSeq : 0;
    const message: QueueMessage = {
      id: init.moved?.id ?? randomUUID(),
      body: init.body,
      md5OfBody: md5OfBody(init.body),
      attributes: init.attributes,
      md5OfAttributes: md5OfAttributes(init.attributes),
      systemAttributes: init.systemAttributes,
      senderId: init.senderId,
      sentAt: init.moved?.sentAt ?? now,
      firstReceivedAt: init.moved?.firstReceivedAt,
      receiveCount: init.moved?.receiveCount ?? 0,
      state: "visible",
      visibleAt: now,
      version: 0,
      receiveSeq: 0,
      groupId: init.groupId,
      dedupId: this.fifo ? init.dedupId : undefined,
      sequenceNumber: this.fifo ? String(SEQUENCE_BASE + BigInt(order)) : undefined,
      fifoOrder: order,
      deadLetterSourceArn: init.moved?.sourceArn,
    };
    if (dedupKey !== undefined) this.#dedup.remember(dedupKey, { messageId: message.id, sequenceNumber: message.sequenceNumber! }, now);
    this.#byId.set(message.id, message);
    this.#stats.sent += 1;
    this.#stats.visible += 1;
    this.#visible.added(message);
    if (init.delaySeconds > 0) {
      this.#setState(message, "delayed");
      this.#schedule(message, now + init.delaySeconds * 1000);
    } else {
      this.#visible.madeVisible(message);
    }
    this.#pump();
    return { messageId: message.id, sequenceNumber: message.sequenceNumber, duplicate: false };
  }

  /**
   * A long poll: answers at once if anything is visible, otherwise as soon as a message becomes visible,
   * or with nothing after `waitMs`. Rejects (taking nothing) when `signal` aborts: the client went away
   * or the fake is closing.
   */
  waitForMessages(
    max: number,
    visibilityTimeoutSeconds: number,
    waitMs: number,
    signal: AbortSignal,
    receiveRequestAttemptId?: string,
  ): Promise<ReceivedMessage[]> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const now = this.#now();
    // Only FIFO queues deduplicate receive attempts; standard queues ignore the id, as SQS does.
    const attemptId = this.fifo ? receiveRequestAttemptId : undefined;
    if (attemptId !== undefined) {
      const replayed = this.#replay(attemptId, visibilityTimeoutSeconds, now);
      if (replayed !== undefined) return Promise.resolve(replayed);
    }
    const remember = (received: ReceivedMessage[]): ReceivedMessage[] => {
      if (attemptId !== undefined) this.#attempts.record(attemptId, received, this.#now());
      return received;
    };
    const ready = remember(this.#take(max, visibilityTimeoutSeconds, now));
    if (ready.length > 0 || waitMs <= 0) return Promise.resolve(ready);
    return new Promise<ReceivedMessage[]>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timeout);
        signal.removeEventListener("abort", onAbort);
        this.#waiters.delete(waiter);
        this.#scheduleWake();
      };
      const waiter: Waiter = {
        max,
        visibilityTimeoutSeconds,
        deliver: (messages) => {
          finish();
          resolve(remember(messages));
        },
      };
      const onAbort = (): void => {
        finish();
        reject(signal.reason);
      };
      // The HTTP request keeps the process alive while it is open; this timer must not on its own.
      const timeout = setTimeout(() => {
        finish();
        resolve([]);
      }, waitMs);
      timeout.unref();
      signal.addEventListener("abort", onAbort, { once: true });
      this.#waiters.add(waiter);
      this.#scheduleWake();
    });
  }

  /**
   * Deletes the message a receipt handle names. A handle for a message already deleted succeeds (as in
   * SQS); a handle from an earlier receive of a message received again since is accepted but deletes
   * nothing (SQS: "the request succeeds, but the message might not be deleted").
   */
  delete(receiptHandle: string): "deleted" | "already-deleted" | "stale-handle" {
    const decoded = this.#decode(receiptHandle);
    const message = this.#byId.get(decoded.messageId);
    if (message === undefined) return "already-deleted";
    if (message.receiveSeq !== decoded.seq) return "stale-handle";
    this.#setState(message, "deleted");
    message.version += 1;
    this.#byId.delete(message.id);
    this.#stats.deleted += 1;
    // A FIFO group is held while any of its messages is in flight: this delete may free it.
    if (this.fifo) this.#pump();
    return "deleted";
  }

  /** Changes the visibility timeout of an in-flight message, counted from now (0 makes it visible at once). */
  changeVisibility(receiptHandle: string, seconds: number): void {
    const decoded = this.#decode(receiptHandle);
    const now = this.#now();
    this.#settle(now);
    const message = this.#byId.get(decoded.messageId);
    if (message === undefined || message.receiveSeq !== decoded.seq || message.state !== "inflight") {
      throw invalidParameter(`Value ${receiptHandle} for parameter ReceiptHandle is invalid. Reason: ${NOT_AVAILABLE}`);
    }
    message.version += 1;
    if (seconds === 0) {
      this.#setState(message, "visible");
      message.visibleAt = now;
      this.#visible.madeVisible(message);
      this.#pump();
    } else {
      this.#schedule(message, now + seconds * 1000);
      this.#scheduleWake();
    }
  }

  /** Deletes every message, in flight or not. `asPurgeQueue` starts PurgeQueue's cool-down. */
  purge(asPurgeQueue = true): void {
    for (const message of this.#byId.values()) {
      message.state = "deleted";
      message.version += 1;
    }
    this.#byId.clear();
    this.#visible.clear();
    this.#attempts.clear();
    this.#pending.clear();
    this.#stats.visible = 0;
    this.#stats.inflight = 0;
    this.#stats.delayed = 0;
    if (asPurgeQueue) this.lastPurgeAt = this.#now();
    this.#scheduleWake();
  }

  counts(): QueueCounts {
    this.#settle(this.#now());
    const { visible, inflight, delayed, sent, received, deleted, deadLettered } = this.#stats;
    return { visible, inFlight: inflight, delayed, total: visible + inflight + delayed, sent, received, deleted, deadLettered };
  }

  /** Every message still in the queue, oldest first (for tests to inspect). */
  messages(): QueueMessage[] {
    this.#settle(this.#now());
    return [...this.#byId.values()];
  }

  /** Stops the wake-up timer (waiting polls are released by their request signals). */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #decode(receiptHandle: string): { messageId: string; seq: number } {
    const decoded = decodeReceipt(receiptHandle, this.name);
    if (decoded === undefined) {
      throw sqsError("ReceiptHandleIsInvalid", `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`);
    }
    return decoded;
  }

  #setState(message: QueueMessage, state: MessageState): void {
    const stats = this.#stats;
    if (message.state === "visible") stats.visible -= 1;
    else if (message.state === "inflight") stats.inflight -= 1;
    else if (message.state === "delayed") stats.delayed -= 1;
    if (state === "visible") stats.visible += 1;
    else if (state === "inflight") stats.inflight += 1;
    else if (state === "delayed") stats.delayed += 1;
    const from = message.state;
    message.state = state;
    this.#visible.stateChanged(message, from, state);
  }

  #schedule(message: QueueMessage, visibleAt: number): void {
    message.visibleAt = visibleAt;
    this.#pending.push(visibleAt, { message, version: message.version });
  }

  /** Moves every delayed or in-flight message whose time has come to the visible list. */
  #settle(now: number): void {
    for (let key = this.#pending.peekKey(); key !== undefined && key <= now; key = this.#pending.peekKey()) {
      const entry = this.#pending.pop()!;
      const message = entry.message;
      if (entry.version !== message.version || (message.state !== "inflight" && message.state !== "delayed")) continue;
      this.#setState(message, "visible");
      this.#visible.madeVisible(message);
    }
  }

  #take(max: number, visibilityTimeoutSeconds: number, now: number): ReceivedMessage[] {
    this.#settle(now);
    const taken: ReceivedMessage[] = [];
    for (let picked = this.#visible.pick(max); picked.length > 0; picked = this.#visible.pick(max - taken.length)) {
      for (const message of picked) {
        if (this.#deadLetter(message)) continue;
        taken.push(this.#receive(message, visibilityTimeoutSeconds, now));
      }
      if (taken.length >= max) break;
    }
    this.#stats.received += taken.length;
    return taken;
  }

  /** Marks one visible message received: in flight, counted, with a new receipt handle. */
  #receive(message: QueueMessage, visibilityTimeoutSeconds: number, now: number): ReceivedMessage {
    this.#setState(message, "inflight");
    message.version += 1;
    this.#schedule(message, now + visibilityTimeoutSeconds * 1000);
    message.receiveCount += 1;
    message.firstReceivedAt ??= now;
    this.#receiveSeq += 1;
    message.receiveSeq = this.#receiveSeq;
    return {
      message,
      receiptHandle: encodeReceipt(this.name, message.id, this.#receiveSeq),
      receiveCount: message.receiveCount,
      firstReceivedAt: message.firstReceivedAt,
    };
  }

  /**
   * Moves a message to the dead-letter queue instead of receiving it again, when it was already received
   * `maxReceiveCount` times. A policy whose target is gone moves nothing (the message stays here).
   */
  #deadLetter(message: QueueMessage): boolean {
    const policy = this.redrivePolicy;
    if (policy === undefined || message.receiveCount < policy.maxReceiveCount) return false;
    const target = this.#queueByArn(policy.deadLetterTargetArn);
    if (target === undefined || target === this) return false;
    this.#setState(message, "deleted");
    message.version += 1;
    this.#byId.delete(message.id);
    this.#stats.deadLettered += 1;
    target.send({
      body: message.body,
      attributes: message.attributes,
      systemAttributes: message.systemAttributes,
      senderId: message.senderId,
      delaySeconds: 0,
      groupId: message.groupId,
      dedupId: message.dedupId,
      moved: {
        id: message.id,
        sentAt: message.sentAt,
        receiveCount: message.receiveCount,
        firstReceivedAt: message.firstReceivedAt,
        sourceArn: this.arn,
      },
    });
    return true;
  }

  /** A retried FIFO receive: the same messages and handles, visibility timeout started again. */
  #replay(attemptId: string, visibilityTimeoutSeconds: number, now: number): ReceivedMessage[] | undefined {
    this.#settle(now);
    const replayed = this.#attempts.replay(attemptId, now);
    if (replayed === undefined) return undefined;
    for (const { message } of replayed) {
      message.version += 1;
      this.#schedule(message, now + visibilityTimeoutSeconds * 1000);
    }
    this.#attempts.refreshed(attemptId, replayed.map((r) => r.message));
    this.#scheduleWake();
    return replayed;
  }

  /** Hands visible messages to waiting long polls, oldest poll first. */
  #pump(): void {
    if (this.#waiters.size === 0) return;
    const now = this.#now();
    this.#settle(now);
    for (const waiter of [...this.#waiters]) {
      if (this.#stats.visible === 0) break;
      const taken = this.#take(waiter.max, waiter.visibilityTimeoutSeconds, now);
      if (taken.length === 0) break;
      waiter.deliver(taken);
    }
    this.#scheduleWake();
  }

  /** Keeps one timer for the earliest moment a message becomes visible, only while polls wait. */
  #scheduleWake(): void {
    const next = this.#waiters.size > 0 ? this.#pending.peekKey() : undefined;
    if (next === undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#timerAt = Infinity;
      return;
    }
    if (this.#timer !== undefined && this.#timerAt <= next) return;
    clearTimeout(this.#timer);
    this.#timerAt = next;
    // +1 ms: timers may fire a hair before Date.now() reaches the due time.
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#pump();
      this.#scheduleWake();
    }, Math.max(0, next - this.#now()) + 1);
    this.#timer.unref();
  }
}
