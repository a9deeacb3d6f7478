/**
 * The MD5 digests SQS returns with messages. The SDK checks `MD5OfMessageBody`/`MD5OfBody` by default,
 * and other SDKs check `MD5OfMessageAttributes`, so both follow SQS's algorithm exactly.
 */
import { createHash } from "node:crypto";

/** A message (or system) attribute as stored: strings as text, binaries as bytes. */
export interface StoredAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Buffer;
  StringListValues?: string[];
  BinaryListValues?: Buffer[];
}

export function md5Hex(data: string | Buffer): string {
  return createHash("md5").update(data).digest("hex");
}

/** MD5 of a message body: of its UTF-8 bytes. */
export function md5OfBody(body: string): string {
  return md5Hex(Buffer.from(body, "utf8"));
}

// Transport type markers from SQS's algorithm.
const STRING = 1;
const BINARY = 2;
const STRING_LIST = 3;
const BINARY_LIST = 4;

function lengthPrefixed(bytes: Buffer): Buffer[] {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length, 0);
  return [length, bytes];
}

/**
 * MD5 of message attributes: for each attribute sorted by name, the length-prefixed UTF-8 name and data
 * type, one transport-type byte, then the length-prefixed value(s). `undefined` when there are none
 * (SQS then omits the field).
 */
export function md5OfAttributes(attributes: Readonly<Record<string, StoredAttribute>>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  for (const name of names) {
    const value = attributes[name]!;
    parts.push(...lengthPrefixed(Buffer.from(name, "utf8")), ...lengthPrefixed(Buffer.from(value.DataType, "utf8")));
    if (value.StringValue !== undefined) {
      parts.push(Buffer.from([STRING]), ...lengthPrefixed(Buffer.from(value.StringValue, "utf8")));
    } else if (value.BinaryValue !== undefined) {
      parts.push(Buffer.from([BINARY]), ...lengthPrefixed(value.BinaryValue));
    } else if (value.StringListValues !== undefined) {
      parts.push(Buffer.from([STRING_LIST]));
      for (const item of value.StringListValues) parts.push(...lengthPrefixed(Buffer.from(item, "utf8")));
    } else if (value.BinaryListValues !== undefined) {
      parts.push(Buffer.from([BINARY_LIST]));
      for (const item of value.BinaryListValues) parts.push(...lengthPrefixed(item));
    }
  }
  return md5Hex(Buffer.concat(parts));
}
