/**
 * Which refusals are cached (negative caching): STS will answer them the same way until someone changes the
 * role, its trust policy or the request, so asking again within `negativeTtlMs` only burns the rate budget.
 * Pure.
 */
import { stsErrorCode } from "../sts/retry.js";

const NEGATIVE = new Set(["AccessDenied", "ValidationError", "MalformedPolicyDocument", "PackedPolicyTooLarge", "RegionDisabled", "InvalidParameterValue"]);

/**
 * The STS error code when `error` (a provider error whose `cause` is STS's) is a refusal worth caching.
 *
 * @example
 * ```ts
 * negativeCode(providerError); // "AccessDenied"
 * ```
 */
export function negativeCode(error: unknown): string | undefined {
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
