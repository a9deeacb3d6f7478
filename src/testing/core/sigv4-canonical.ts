/**
 * Pure SigV4 canonicalization, recomputed from the request as it arrived on the wire. Mirrors what
 * `@smithy/signature-v4` does when the SDK signs, so a request the SDK signed verifies byte for byte.
 */
import { createHash, createHmac } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

export const SIGV4_ALGORITHM = "AWS4-HMAC-SHA256";
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

/** RFC 3986 escaping as the SDK does it (`encodeURIComponent` plus `!'()*`). */
export function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Decodes a wire component; an invalid escape is kept as is (the signature then decides). */
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The canonical URI. The SDK normalizes `.`/`..`/empty segments of the path it holds and escapes it once
 * more (keeping `/`); the path on the wire is that held path, already escaped once by the serializer.
 */
export function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split("/")) {
    if (segment.length === 0 || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const normalized = `${rawPath.startsWith("/") ? "/" : ""}${segments.join("/")}${segments.length > 0 && rawPath.endsWith("/") ? "/" : ""}`;
  return escapeUri(normalized).replace(/%2F/g, "/");
}

/** The canonical query string: decoded then re-escaped pairs, sorted by key then value, without `X-Amz-Signature`. */
export function canonicalQuery(rawQuery: string): string {
  const byKey = new Map<string, string[]>();
  const query = rawQuery.startsWith("?") ? rawQuery.slice(1) : rawQuery;
  for (const part of query.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const key = safeDecode(eq === -1 ? part : part.slice(0, eq));
    const value = eq === -1 ? "" : safeDecode(part.slice(eq + 1));
    if (key.toLowerCase() === "x-amz-signature") continue;
    const encodedKey = escapeUri(key);
    const pairs = byKey.get(encodedKey) ?? [];
    pairs.push(`${encodedKey}=${escapeUri(value)}`);
    byKey.set(encodedKey, pairs);
  }
  return [...byKey.keys()]
    .sort()
    .map((key) => byKey.get(key)!.sort().join("&"))
    .join("&");
}

/** A header value as SigV4 canonicalizes it: line breaks to spaces, runs of blanks collapsed, trimmed. */
export function canonicalHeaderValue(value: string): string {
  return value
    .replace(/[\r\n]/g, " ")
    .replace(/[ \t]+/g, " ")
    .replace(/^ | $/g, "");
}

/** Reads a header as one string (Node joins repeated headers; `set-cookie` arrives as an array). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(",") : value;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

export interface CanonicalRequestInput {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: IncomingHttpHeaders;
  /** Lower-cased names, in the order the client listed them in `SignedHeaders`. */
  signedHeaders: readonly string[];
  payloadHash: string;
}

/** The canonical request; `undefined` if a signed header is absent from the request. */
export function canonicalRequest(input: CanonicalRequestInput): string | undefined {
  const sorted = [...input.signedHeaders].sort();
  const lines: string[] = [];
  for (const name of sorted) {
    const value = headerValue(input.headers, name);
    if (value === undefined) return undefined;
    lines.push(`${name}:${canonicalHeaderValue(value)}`);
  }
  return [
    input.method.toUpperCase(),
    canonicalPath(input.rawPath),
    canonicalQuery(input.rawQuery),
    lines.join("\n"),
    "",
    sorted.join(";"),
    input.payloadHash,
  ].join("\n");
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${SIGV4_ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
}

/** kSigning = HMAC chain over date, region, service and `aws4_request`. */
export function signingKey(secretAccessKey: string, shortDate: string, region: string, service: string): Buffer {
  let key: Buffer | string = `AWS4${secretAccessKey}`;
  for (const part of [shortDate, region, service, "aws4_request"]) {
    key = createHmac("sha256", key).update(part).digest();
  }
  return key as Buffer;
}

export function signatureHex(key: Buffer, toSign: string): string {
  return createHmac("sha256", key).update(toSign).digest("hex");
}
