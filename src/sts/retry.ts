/**
 * Which STS failures are worth another attempt, and how long to wait. Pure.
 * AWS documents IDPCommunicationError as retryable, and InvalidIdentityToken as worth one retry (the
 * identity provider's keys may be mid-rotation, or the kubelet mid-write); throttling, 5xx and network
 * failures are transient everywhere.
 */
import { httpStatusOf } from "../shared/error-fields.js";

export type StsFailureKind = "throttling" | "server" | "idp-communication" | "invalid-token" | "network" | "fatal";

const THROTTLING = new Set([
  "Throttling",
  "TooManyRequests",
  "RequestLimitExceeded",
  "RequestThrottled",
  "SlowDown",
  "PriorRequestNotComplete",
]);
const SERVER = new Set(["InternalFailure", "InternalError", "ServiceUnavailable", "InternalServerError"]);
const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "ECONNABORTED", "EHOSTUNREACH", "ENETUNREACH"]);
const NETWORK_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException", "AbortError"]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
}

/** The AWS error code of an SDK error (`InvalidIdentityTokenException` → `InvalidIdentityToken`). */
export function stsErrorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as ErrorLike;
  const raw = typeof e.Code === "string" ? e.Code : typeof e.name === "string" ? e.name : undefined;
  if (raw === undefined || raw === "Error") return undefined;
  return raw.endsWith("Exception") && raw !== "Exception" ? raw.slice(0, -"Exception".length) : raw;
}

/**
 * Classifies a failed STS call (AssumeRoleWithWebIdentity, AssumeRole).
 *
 * @example
 * ```ts
 * classifyStsFailure(Object.assign(new Error("slow down"), { name: "Throttling" })); // "throttling"
 * ```
 */
export function classifyStsFailure(error: unknown): StsFailureKind {
  const code = stsErrorCode(error);
  const status = httpStatusOf(error);
  if (code === "IDPCommunicationError") return "idp-communication";
  if (code === "InvalidIdentityToken") return "invalid-token";
  if ((code !== undefined && THROTTLING.has(code)) || status === 429) return "throttling";
  if ((code !== undefined && SERVER.has(code)) || (status !== undefined && status >= 500)) return "server";
  if (typeof error === "object" && error !== null) {
    const e = error as ErrorLike;
    if (typeof e.code === "string" && NETWORK_CODES.has(e.code)) return "network";
    if (typeof e.name === "string" && NETWORK_NAMES.has(e.name)) return "network";
  }
  return "fatal";
}

export interface RetryPolicy {
  /** Attempts in total, first one included. Default 3. */
  maxAttempts: number;
  /** Base of the exponential backoff. Default 100 ms. */
  baseDelayMs: number;
  /** Ceiling of one wait. Default 2000 ms. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({ maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2_000 });

/**
 * Whether attempt `attempt` (1-based) that failed with `kind` gets another one. InvalidIdentityToken is
 * retried once per fetch whatever `maxAttempts` says; fatal errors never.
 */
export function shouldRetry(kind: StsFailureKind, attempt: number, invalidTokenRetries: number, policy: RetryPolicy): boolean {
  if (kind === "fatal" || attempt >= policy.maxAttempts) return false;
  if (kind === "invalid-token") return invalidTokenRetries < 1;
  return true;
}

/**
 * Full-jitter exponential backoff before attempt `attempt + 1`: uniform in
 * [0, min(maxDelayMs, baseDelayMs · 2^(attempt-1))], throttling starting 4× higher. `random` in [0, 1).
 */
export function backoffDelayMs(attempt: number, kind: StsFailureKind, policy: RetryPolicy, random: number): number {
  const base = kind === "throttling" ? policy.baseDelayMs * 4 : policy.baseDelayMs;
  const ceiling = Math.min(policy.maxDelayMs, base * 2 ** Math.max(0, attempt - 1));
  return Math.floor(Math.min(Math.max(random, 0), 1) * ceiling);
}
