/**
 * Which errors mean "AWS rejects these credentials" (so new ones may fix the request) — and which do not.
 * Pure. Read against the SDK's own classification (`@smithy/core` retry: its clock-skew codes are
 * retried after correcting the clock, not by new credentials) and the service models awscreds touches
 * (SQS answers `InvalidClientTokenId`/`ExpiredToken` in its awsQuery-compatible codes, JSON services
 * `UnrecognizedClientException`/`ExpiredTokenException`, EC2 `AuthFailure`, S3 `InvalidAccessKeyId`,
 * `ExpiredToken` and `TokenRefreshRequired`).
 */
import { errorCodes } from "../shared/error-codes.js";

/**
 * Codes (normalized as {@link errorCodes} does: no namespace, no `Exception` suffix) that say the
 * credentials themselves are expired, revoked or unknown. A request refused with one of them was not
 * executed, so one retry with other credentials is safe for every operation.
 *
 * Not here, on purpose: `AccessDenied` (a policy question; new credentials of the same role get the same
 * answer), `SignatureDoesNotMatch`/`RequestTimeTooSkewed`/`RequestExpired` (a signing or clock question:
 * the SDK corrects its clock offset and retries those itself), `InvalidIdentityToken` (STS refusing a web
 * identity token, which is the source's input, not the credentials a client signs with).
 */
export const CREDENTIAL_REJECTION_CODES: ReadonlySet<string> = new Set([
  "ExpiredToken", // STS-issued credentials past expiry or revoked (also `ExpiredTokenException`)
  "InvalidClientTokenId", // awsQuery services (SQS, SNS, STS, IAM): unknown key or invalid session token
  "UnrecognizedClient", // AWS JSON services (DynamoDB, Kinesis, …): `UnrecognizedClientException`
  "InvalidToken", // some services' name for an invalid or expired session token
  "AuthFailure", // EC2's answer to unknown or invalid credentials
  "InvalidAccessKeyId", // S3 (and others): the access key id does not exist
  "TokenRefreshRequired", // S3: the session token must be refreshed
]);

/**
 * The rejection code of an error when it means AWS rejected the credentials that signed the request,
 * else undefined. Never for `AccessDenied`.
 *
 * @example
 * ```ts
 * credentialRejectionCode(Object.assign(new Error("expired"), { name: "ExpiredToken" })); // "ExpiredToken"
 * credentialRejectionCode(Object.assign(new Error("no"), { name: "AccessDenied" }));      // undefined
 * ```
 */
export function credentialRejectionCode(error: unknown): string | undefined {
  const codes = errorCodes(error);
  if (codes.includes("AccessDenied")) return undefined;
  const found = codes.find((code) => CREDENTIAL_REJECTION_CODES.has(code));
  if (found === undefined) return undefined;
  const name = (error as { name?: unknown }).name;
  // The code as AWS sent it (e.g. `ExpiredTokenException`), for messages and status().
  return typeof name === "string" && name.replace(/Exception$/, "").endsWith(found) ? name : found;
}
