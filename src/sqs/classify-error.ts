/**
 * Sorts an error from an SQS call into what a poller or deleter should do about it.
 * Pure and SDK-agnostic: it reads `name`, `Code`/`code` and the HTTP status, which is how the v3 SDK
 * reports both AWS JSON errors (`__type`) and their awsQuery-compatible codes (`x-amzn-query-error`).
 */
import { errorCodes } from "../shared/error-codes.js";
import { httpStatusOf } from "../shared/error-fields.js";
import { redactText } from "../shared/redact-error.js";

export { errorCodes };

/**
 * - `aborted`: we cancelled the call ourselves; not an error.
 * - `credentials`: expired, invalid or unauthorized credentials; back off until the provider refreshes.
 * - `throttling`: back off harder.
 * - `fatal`: the same request can never succeed (queue gone, invalid parameter); stop.
 * - `transient`: network, timeout, 5xx, anything unknown; back off and retry.
 */
export type ErrorKind = "aborted" | "credentials" | "throttling" | "fatal" | "transient";

const CREDENTIAL_CODES = new Set([
  "ExpiredToken",
  "InvalidClientTokenId",
  "UnrecognizedClient",
  "AccessDenied",
  "SignatureDoesNotMatch",
  "IncompleteSignature",
  "MissingAuthenticationToken",
  "InvalidAccessKeyId",
  "AuthFailure",
  "RequestExpired",
  "InvalidSignature",
  "NotAuthorized",
  "KmsAccessDenied",
  "CredentialsProviderError",
  "TokenProviderError",
  // awscreds' own refreshing providers: held credentials expired and no refresh succeeded, or the
  // provider was stopped. Neither is a network blip; both are about credentials.
  "CredentialsExpiredError",
  "RefresherStoppedError",
]);

const THROTTLING_CODES = new Set([
  "Throttling",
  "Throttled",
  "RequestThrottled",
  "TooManyRequests",
  "RequestLimitExceeded",
  "SlowDown",
  "OverLimit",
  "KmsThrottled",
  "ProvisionedThroughputExceeded",
]);

const FATAL_CODES = new Set([
  "QueueDoesNotExist",
  "NonExistentQueue",
  "QueueDeletedRecently",
  "InvalidAddress",
  "InvalidParameterValue",
  "InvalidAttributeName",
  "InvalidAttributeValue",
  "InvalidSecurity",
  "UnsupportedOperation",
  "MissingParameter",
  "MissingRequiredParameter",
  "ValidationError",
  "Validation",
  "InvalidAction",
  "InvalidQueryParameter",
]);

/**
 * Classifies an error from an SQS call (or from the credentials provider behind it).
 *
 * @example
 * ```ts
 * classifyError(Object.assign(new Error("expired"), { name: "ExpiredToken" })); // "credentials"
 * ```
 */
export function classifyError(error: unknown, signal?: AbortSignal): ErrorKind {
  if (signal?.aborted) return "aborted";
  const codes = errorCodes(error);
  if (codes.includes("AbortError")) return "aborted";
  if (codes.some((c) => CREDENTIAL_CODES.has(c))) return "credentials";
  if (codes.some((c) => THROTTLING_CODES.has(c))) return "throttling";
  if (codes.some((c) => FATAL_CODES.has(c))) return "fatal";
  const status = httpStatusOf(error);
  if (status === 429) return "throttling";
  if (status === 401 || status === 403) return "credentials";
  return "transient";
}

/**
 * True when the error says the credentials provider itself was stopped (awscreds'
 * `RefresherStoppedError`): no retry can succeed, so a consumer stops instead of backing off forever.
 *
 * @example
 * ```ts
 * providerStopped(Object.assign(new Error("stopped"), { name: "RefresherStoppedError" })); // true
 * ```
 */
export function providerStopped(error: unknown): boolean {
  return errorCodes(error).includes("RefresherStoppedError");
}

/**
 * A one-line description for logs and callbacks: name, code and message only, bounded in length.
 * SDK errors carry no credentials, but `$response` bodies and request objects are never included, and
 * anything shaped like a secret (a key or token some layer quoted) is masked before the cut.
 */
export function describeError(error: unknown): string {
  if (typeof error !== "object" || error === null) return redactText(String(error), []).slice(0, 300);
  const record = error as Record<string, unknown>;
  const name = typeof record.name === "string" ? record.name : "Error";
  const code = typeof record.Code === "string" && record.Code !== name ? ` (${record.Code})` : "";
  const message = typeof record.message === "string" ? record.message : "";
  return redactText(`${name}${code}: ${message}`, []).slice(0, 300);
}
