/**
 * Which refusals are cached (negative caching): STS will answer them the same way until someone changes the
 * role, its trust policy or the request, so asking again within `negativeTtlMs` only burns the rate budget.
 * Pure.
 */
import { stsErrorCode } from "../sts/retry.js";

const NEGATIVE = new Set(["AccessDenied", "ValidationError", "MalformedPolicyDocument", "PackedPolicyTooLarge", "RegionDisabled", "InvalidParameterValue"]);

/** Failures of the credentials that sign AssumeRole: whatever their name, not STS's answer for the role. */
const SOURCE_FAILURES = new WeakSet<object>();

/**
 * Marks `error` as a failure of the source credentials (e.g. `fromTemporaryCredentials` failing with
 * AccessDenied): it backs off and retries, and is never cached as the tenant's refusal.
 */
export function markSourceFailure(error: unknown): void {
  if (typeof error === "object" && error !== null) SOURCE_FAILURES.add(error);
}

/**
 * The STS error code when `error` (a provider error whose `cause` is STS's) is a refusal worth caching.
 *
 * @example
 * ```ts
 * negativeCode(providerError); // "AccessDenied"
 * ```
 */
export function negativeCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && SOURCE_FAILURES.has(error)) return undefined;
  const cause = typeof error === "object" && error !== null ? (error as { cause?: unknown }).cause : undefined;
  const code = stsErrorCode(cause);
  return code !== undefined && NEGATIVE.has(code) ? code : undefined;
}

/** Whether `error` is STS throttling (its cause's code). */
export function isThrottling(error: unknown): boolean {
  const cause = typeof error === "object" && error !== null ? (error as { cause?: unknown }).cause : undefined;
  const code = stsErrorCode(cause);
  return code === "Throttling" || code === "TooManyRequests" || code === "RequestLimitExceeded";
}
