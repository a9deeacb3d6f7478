/**
 * Parsing of the SigV4 `Authorization` header and of the request date: the syntactic half of
 * verification, kept apart so it can be read (and tested) without any cryptography.
 */

/** The parts of `AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sqs/aws4_request, SignedHeaders=..., Signature=...`. */
export interface ParsedAuthorization {
  accessKeyId: string;
  shortDate: string;
  region: string;
  service: string;
  /** `date/region/service/aws4_request`, as the client wrote it. */
  scope: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
}

/** Why a header could not be parsed, in the words AWS uses for `IncompleteSignature`. */
export class AuthorizationSyntaxError extends Error {}

export function parseAuthorization(header: string, algorithm: string): ParsedAuthorization {
  const trimmed = header.trim();
  const space = trimmed.indexOf(" ");
  const scheme = space === -1 ? trimmed : trimmed.slice(0, space);
  if (scheme !== algorithm) {
    throw new AuthorizationSyntaxError(`Unsupported authorization type: only ${algorithm} is supported.`);
  }
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(space + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ["Credential", "SignedHeaders", "Signature"].filter((name) => !fields.get(name));
  if (missing.length > 0) {
    throw new AuthorizationSyntaxError(
      `Authorization header requires ${missing.map((m) => `'${m}'`).join(", ")} parameter${missing.length > 1 ? "s" : ""}. Authorization=${scheme}`,
    );
  }
  const credential = fields.get("Credential")!;
  const parts = credential.split("/");
  if (parts.length !== 5 || parts.some((p) => p === "")) {
    throw new AuthorizationSyntaxError(
      `Credential should be of the form 'AccessKeyId/yyyyMMdd/region/service/aws4_request', got a value with ${parts.length} parts.`,
    );
  }
  const [accessKeyId, shortDate, region, service, terminator] = parts as [string, string, string, string, string];
  return {
    accessKeyId,
    shortDate,
    region,
    service,
    terminator,
    scope: parts.slice(1).join("/"),
    signedHeaders: fields.get("SignedHeaders")!.split(";").map((h) => h.trim().toLowerCase()).filter((h) => h !== ""),
    signature: fields.get("Signature")!.toLowerCase(),
  };
}

/**
 * The access key id an `Authorization` header claims, read without verifying anything (for call logs,
 * which record who a request says it is even when verification then fails).
 *
 * @example
 * ```ts
 * claimedAccessKeyId("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/sqs/aws4_request, …"); // "AKIDEXAMPLE"
 * ```
 */
export function claimedAccessKeyId(authorization: string | undefined): string | undefined {
  return authorization === undefined ? undefined : /Credential=([^/,\s]+)\//.exec(authorization)?.[1];
}

/** Parses `YYYYMMDDTHHMMSSZ` (the `X-Amz-Date` format) to epoch ms; `undefined` if malformed. */
export function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m as unknown as [string, string, string, string, string, string, string];
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  return Number.isNaN(ms) ? undefined : ms;
}

/** Formats epoch ms as `YYYYMMDDTHHMMSSZ`, for messages that quote dates as AWS does. */
export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}
