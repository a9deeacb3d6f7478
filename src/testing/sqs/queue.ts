/**
 * One fake SQS standard queue: message states, visibility timeouts, delays, receive counts and long-poll
 * waiters.
 *
 * Visibility is computed lazily: delayed and in-flight messages sit in a min-heap keyed by the time they
 * become visible, and every operation first moves what is due into the visible list. Only while a long
 * poll is waiting does the queue keep one (unref'd) timer, for the earliest such time, so that a message
 * becoming visible again wakes the poll. No timer per message, nothing that keeps a process alive.
 */
import { randomUUID } from "node:crypto";
import { Deque } from "./deque.js";
import { invalidParameter, sqsError } from "./errors.js";
import type { StoredAttribute } from "./md5.js";
import { md5OfAttributes, md5OfBody } from "./md5.js";
import { MinHeap } from "./min-heap.js";
import { decodeReceipt, encodeReceipt } from "./receipt-handle.js";

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
}

/** One message handed out by a receive, with what the response shows as of that receive. */
export interface ReceivedMessage {
  message: QueueMessage;
  receiptHandle: string;
  receiveCount: number;
  firstReceivedAt: number;
}

export interface SendInit {
  body: string;
  attributes: Record<string, StoredAttribute>;
  systemAttributes: Record<string, StoredAttribute>;
  senderId: string;
  delaySeconds: number;
}

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
}

const NOT_AVAILABLE = "Message does not exist or is not available for visibility timeout change.";

export class FakeQueue {
  readonly attributes = new Map<string, string>();
  readonly createdAt: number;
  lastModifiedAt: number;
  lastPurgeAt: number | undefined;

  readonly #now: () => number;
  readonly #visible = new Deque<QueueMessage>();
  readonly #pending = new MinHeap<{ message: QueueMessage; version: number }>();
  readonly #byId = new Map<string, QueueMessage>();
  readonly #waiters = new Set<Waiter>();
  readonly #stats = { visible: 0, inflight: 0, delayed: 0, sent: 0, received: 0, deleted: 0 };
  #receiveSeq = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;

  constructor(
    readonly name: string,
    readonly url: string,
    readonly arn: string,
    attributes: Readonly<Record<string, string>>,
    now: () => number,
  ) {
    this.#now = now;
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
    return this.#numberAttribute("MaximumMessageSize", 262_144);
  }

  send(init: SendInit): QueueMessage {
    const now = this.#now();
    const message: QueueMessage = {
      id: randomUUID(),
      body: init.body,
      md5OfBody: md5OfBody(init.body),
      attributes: init.attributes,
      md5OfAttributes: md5OfAttributes(init.attributes),
      systemAttributes: init.systemAttributes,
      senderId: init.senderId,
      sentAt: now,
      firstReceivedAt: undefined,
      receiveCount: 0,
      state: "visible",
      visibleAt: now,
      version: 0,
      receiveSeq: 0,
    };
    this.#byId.set(message.id, message);
    this.#stats.sent += 1;
    this.#stats.visible += 1;
    if (init.delaySeconds > 0) {
      this.#setState(message, "delayed");
      this.#schedule(message, now + init.delaySeconds * 1000);
    } else {
      this.#visible.push(message);
    }
    this.#pump();
    return message;
  }

  /**
   * A long poll: answers at once if anything is visible, otherwise as soon as a message becomes visible,
   * or with nothing after `waitMs`. Rejects (taking nothing) when `signal` aborts: the client went away
   * or the fake is closing.
   */
  waitForMessages(max: number, visibilityTimeoutSeconds: number, waitMs: number, signal: AbortSignal): Promise<ReceivedMessage[]> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const now = this.#now();
    const ready = this.#take(max, visibilityTimeoutSeconds, now);
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
          resolve(messages);
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
      this.#visible.push(message);
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
    this.#pending.clear();
    this.#stats.visible = 0;
    this.#stats.inflight = 0;
    this.#stats.delayed = 0;
    if (asPurgeQueue) this.lastPurgeAt = this.#now();
    this.#scheduleWake();
  }

  counts(): QueueCounts {
    this.#settle(this.#now());
    const { visible, inflight, delayed, sent, received, deleted } = this.#stats;
    return { visible, inFlight: inflight, delayed, total: visible + inflight + delayed, sent, received, deleted };
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
    message.state = state;
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
      this.#visible.push(message);
    }
  }

  #take(max: number, visibilityTimeoutSeconds: number, now: number): ReceivedMessage[] {
    this.#settle(now);
    const taken: ReceivedMessage[] = [];
    while (taken.length < max) {
      const message = this.#visible.shift();
      if (message === undefined) break;
      if (message.state !== "visible") continue; // deleted while visible: dropped lazily
      this.#setState(message, "inflight");
      message.version += 1;
      this.#schedule(message, now + visibilityTimeoutSeconds * 1000);
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      this.#receiveSeq += 1;
      message.receiveSeq = this.#receiveSeq;
      taken.push({
        message,
        receiptHandle: encodeReceipt(this.name, message.id, this.#receiveSeq),
        receiveCount: message.receiveCount,
        firstReceivedAt: message.firstReceivedAt,
      });
    }
    this.#stats.received += taken.length;
    return taken;
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
