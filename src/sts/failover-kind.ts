/**
 * What a failed STS call says about the endpoint, for failover and its circuit breaker. Pure.
 *
 * Only the endpoint's own trouble moves a call to another region: 5xx, network errors and timeouts.
 * AccessDenied, InvalidIdentityToken, ExpiredToken, validation errors and the like are the same answer in
 * every region: failing over would only repeat them. Throttling is an answer too: the endpoint works and
 * says the account sends too much, so the caller slows down (the role cache's budget halves, a refresh
 * backs off) instead of opening the breaker and spending another region's quota at the same pace.
 */
import { httpStatusOf } from "../shared/error-fields.js";
import { classifyStsFailure, stsErrorCode } from "./retry.js";

/**
 * - `endpoint-failed`: the endpoint is in trouble; try the next region, and count it against the breaker.
 * - `answered`: the endpoint works (it answered with an AWS error about the request); no failover, and
 *   the breaker counts it as a success.
 * - `unknown`: an error that says nothing about the endpoint (e.g. a certificate that does not match, a
 *   bug); no failover, the breaker is left as it is.
 */
export type FailoverOutcome = "endpoint-failed" | "answered" | "unknown";

/** DNS failing for a regional STS name is an outage of that name, not a reason to retry it. */
const ALSO_FAILOVER_CODES = new Set(["ENOTFOUND"]);

/** The same answer in every region: never failed over. */
const NEVER_FAILOVER = new Set([
  "AccessDenied",
  "InvalidIdentityToken",
  "ExpiredToken",
  "ValidationError",
  "InvalidParameterValue",
  "MalformedPolicyDocument",
  "PackedPolicyTooLarge",
  "RegionDisabled",
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "IDPRejectedClaim",
  "IDPCommunicationError",
]);

/**
 * Classifies a failed STS call for failover.
 *
 * @example
 * ```ts
 * failoverOutcome(Object.assign(new Error("down"), { name: "ServiceUnavailable", $metadata: { httpStatusCode: 503 } })); // "endpoint-failed"
 * failoverOutcome(Object.assign(new Error("no"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } })); // "answered"
 * ```
 */
export function failoverOutcome(error: unknown): FailoverOutcome {
  const code = stsErrorCode(error);
  if (code !== undefined && NEVER_FAILOVER.has(code)) return "answered";
  const kind = classifyStsFailure(error);
  if (kind === "server" || kind === "network") return "endpoint-failed";
  if (typeof error === "object" && error !== null) {
    const errno = (error as { code?: unknown }).code;
    if (typeof errno === "string" && ALSO_FAILOVER_CODES.has(errno)) return "endpoint-failed";
  }
  if (kind !== "fatal" || httpStatusOf(error) !== undefined) return "answered";
  return "unknown";
}
