/**
 * Receipt handles: opaque to clients, but they name the queue, the message and which receive issued
 * them, so a handle from an earlier receive (the message was received again since) is told apart from
 * the current one, and a handle from another queue or a made-up string is rejected.
 */
import { randomBytes } from "node:crypto";

const PREFIX = "AQEB";

export interface DecodedReceipt {
  messageId: string;
  seq: number;
}

export function encodeReceipt(queueName: string, messageId: string, seq: number): string {
  const payload = `${queueName}\n${messageId}\n${seq}\n${randomBytes(12).toString("base64url")}`;
  return PREFIX + Buffer.from(payload, "utf8").toString("base64");
}

/** `undefined` when the handle is not one this queue issued. */
export function decodeReceipt(handle: string, queueName: string): DecodedReceipt | undefined {
  if (!handle.startsWith(PREFIX)) return undefined;
  const parts = Buffer.from(handle.slice(PREFIX.length), "base64").toString("utf8").split("\n");
  if (parts.length !== 4 || parts[0] !== queueName) return undefined;
  const seq = Number(parts[2]);
  if (!Number.isSafeInteger(seq) || parts[1] === "") return undefined;
  return { messageId: parts[1]!, seq };
}
