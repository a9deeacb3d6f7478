/**
 * Message attributes as SQS validates, stores, filters and returns them.
 */
import { invalidParameter } from "./errors.js";
import type { JsonObject } from "./input.js";
import type { StoredAttribute } from "./md5.js";

const NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const MAX_ATTRIBUTES = 10;

function checkName(name: string, kind: string): void {
  const reserved = /^(aws\.|amazon\.)/i.test(name);
  if (!NAME.test(name) || reserved || name.startsWith(".") || name.endsWith(".") || name.includes("..")) {
    throw invalidParameter(
      `Message (${kind}) attribute name '${name}' is invalid. Names can contain alphanumeric characters, hyphens, underscores and periods, ` +
        "cannot start or end with a period or contain consecutive periods, and cannot start with 'AWS.' or 'Amazon.'.",
    );
  }
}

function decodeBase64(value: unknown, name: string): Buffer {
  if (typeof value !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    throw invalidParameter(`Message (user) attribute '${name}' has an invalid binary value.`);
  }
  return Buffer.from(value, "base64");
}

/** Validates `MessageAttributes` of a send and converts them to stored form; returns their size in bytes. */
export function parseMessageAttributes(
  raw: Record<string, JsonObject> | undefined,
  kind: "user" | "system" = "user",
): { attributes: Record<string, StoredAttribute>; bytes: number } {
  const attributes: Record<string, StoredAttribute> = {};
  let bytes = 0;
  if (raw === undefined) return { attributes, bytes };
  const names = Object.keys(raw);
  if (names.length > MAX_ATTRIBUTES) {
    throw invalidParameter(`Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`);
  }
  for (const name of names) {
    if (kind === "user") checkName(name, kind);
    const value = raw[name]!;
    const dataType = value.DataType;
    if (typeof dataType !== "string" || !/^(String|Number|Binary)(\.[^\s]+)?$/.test(dataType)) {
      throw invalidParameter(
        `The type of message (${kind}) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    }
    if (value.StringListValues !== undefined || value.BinaryListValues !== undefined) {
      throw invalidParameter("Message attribute list values in SendMessage operation are not supported.");
    }
    bytes += Buffer.byteLength(name) + Buffer.byteLength(dataType);
    if (dataType.startsWith("Binary")) {
      if (value.BinaryValue === undefined || value.BinaryValue === "") {
        throw invalidParameter(`Message (${kind}) attribute '${name}' must contain a non-empty value of message attribute type '${dataType}'.`);
      }
      const binary = decodeBase64(value.BinaryValue, name);
      bytes += binary.length;
      attributes[name] = { DataType: dataType, BinaryValue: binary };
    } else {
      const text = value.StringValue;
      if (typeof text !== "string" || text === "") {
        throw invalidParameter(`Message (${kind}) attribute '${name}' must contain a non-empty value of message attribute type '${dataType}'.`);
      }
      if (dataType.startsWith("Number") && (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text.trim()))) {
        throw invalidParameter(`Can't cast the value of message (${kind}) attribute '${name}' to a number.`);
      }
      bytes += Buffer.byteLength(text);
      attributes[name] = { DataType: dataType, StringValue: text };
    }
  }
  return { attributes, bytes };
}

/**
 * How many bytes an entry's message attributes add to its size (name, data type and value, binaries
 * decoded), read without validating them: for a batch's total, before each entry is checked on its own.
 */
export function attributeBytes(raw: unknown): number {
  if (typeof raw !== "object" || raw === null) return 0;
  let bytes = 0;
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value !== "object" || value === null) continue;
    const { DataType, StringValue, BinaryValue } = value as Record<string, unknown>;
    bytes += Buffer.byteLength(name) + (typeof DataType === "string" ? Buffer.byteLength(DataType) : 0);
    if (typeof StringValue === "string") bytes += Buffer.byteLength(StringValue);
    if (typeof BinaryValue === "string") bytes += Buffer.from(BinaryValue, "base64").length;
  }
  return bytes;
}

/**
 * The attributes a receive asked for by `MessageAttributeNames`: `All`, `*` or `.*` for every one, `prefix.*`
 * for the names starting with `prefix` (`Hel.*` selects `Hello` and `Help.Me`: the `.*` is a wildcard, not a
 * dot plus a wildcard), or exact names. Recorded from AWS in LocalStack's
 * `test_receive_message_message_attribute_names_filters` snapshot.
 */
export function selectAttributes(
  stored: Readonly<Record<string, StoredAttribute>>,
  requested: readonly string[] | undefined,
): Record<string, StoredAttribute> {
  const selected: Record<string, StoredAttribute> = {};
  if (requested === undefined || requested.length === 0) return selected;
  const all = requested.some((r) => r === "All" || r === ".*" || r === "*");
  const prefixes = requested.filter((r) => r.endsWith(".*")).map((r) => r.slice(0, -2));
  for (const [name, value] of Object.entries(stored)) {
    if (all || requested.includes(name) || prefixes.some((p) => name.startsWith(p))) selected[name] = value;
  }
  return selected;
}

/** The wire form of stored attributes (binaries as base64). */
export function renderAttributes(stored: Readonly<Record<string, StoredAttribute>>): Record<string, JsonObject> {
  const out: Record<string, JsonObject> = {};
  for (const [name, value] of Object.entries(stored)) {
    out[name] =
      value.BinaryValue !== undefined
        ? { DataType: value.DataType, BinaryValue: value.BinaryValue.toString("base64") }
        : { DataType: value.DataType, StringValue: value.StringValue };
  }
  return out;
}
