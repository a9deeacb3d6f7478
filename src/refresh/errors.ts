/**
 * Errors a refreshing provider hands to callers, and the one way error text is produced for messages,
 * logs and `status()` — so secrets never leak through any of them.
 */
import type { AwsCredentialIdentity } from "@smithy/types";
import { redactError, redactText } from "../shared/redact-error.js";

/**
 * The cached credentials expired and fetching new ones failed. `cause` is the last refresh error, in a
 * form safe to print (`util.inspect` shows it): without the raw HTTP response an SDK error may carry,
 * and with the expired credentials' secrets masked should it repeat them.
 *
 * @example
 * ```ts
 * try {
 *   await sqs.send(command);
 * } catch (error) {
 *   if (error instanceof CredentialsExpiredError) console.error(error.message, error.expiration);
 * }
 * ```
 */
export class CredentialsExpiredError extends Error {
  override readonly name = "CredentialsExpiredError";
  /** When the last good credentials expired. */
  readonly expiration: Date;

  constructor(expiration: Date, cause: unknown, secrets?: AwsCredentialIdentity) {
    super(`credentials expired at ${expiration.toISOString()}; last refresh error: ${describeError(cause, secrets)}`, {
      cause: redactError(cause, [secrets?.secretAccessKey, secrets?.sessionToken]),
    });
    this.expiration = expiration;
  }
}

/**
 * AWS rejected the credentials a provider held (`ExpiredToken`, `InvalidClientTokenId`, …) and no new
 * credentials could replace them: the source handed back the rejected ones, or new ones were rejected as
 * well and the rate limit (`rejectionRefreshIntervalMs`) holds the next fetch back. The message says what
 * was tried; `code` is what AWS answered.
 *
 * @example
 * ```ts
 * createRefresher(source, { onRefreshError: ({ reason, error }) => reason === "rejected" && console.error(error) });
 * ```
 */
export class CredentialsRejectedError extends Error {
  override readonly name = "CredentialsRejectedError";
  /** The error code AWS rejected the credentials with, when known. */
  readonly code: string | undefined;

  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

/**
 * The provider was stopped (or disposed) and holds no valid credentials any more; it no longer fetches.
 *
 * @example
 * ```ts
 * refresher.stop();
 * await refresher().catch((e) => e instanceof RefresherStoppedError); // once the cached credentials expire
 * ```
 */
export class RefresherStoppedError extends Error {
  override readonly name = "RefresherStoppedError";

  constructor(what: string, expiration: Date | undefined, now: number = Date.now()) {
    const held =
      expiration === undefined
        ? ""
        : expiration.getTime() <= now
          ? ` and its credentials expired at ${expiration.toISOString()}`
          : ` (its credentials are valid until ${expiration.toISOString()})`;
    super(`${what} was stopped${held}; it no longer fetches credentials, create a new one`);
  }
}

/**
 * A refresh attempt did not settle in time (`attemptTimeoutMs`); it is treated as a failure and retried
 * with backoff, and its late answer, if any, is discarded.
 *
 * @example
 * ```ts
 * createRefresher(source, { attemptTimeoutMs: 10_000, onRefreshError: ({ error }) => error instanceof AttemptTimeoutError });
 * ```
 */
export class AttemptTimeoutError extends Error {
  override readonly name = "AttemptTimeoutError";

  constructor(what: string, timeoutMs: number) {
    super(`${what}: the source did not answer within ${timeoutMs} ms`);
  }
}

/** `Name: message` of any thrown value, with the given credentials' secrets masked if they appear. */
export function describeError(error: unknown, secrets?: AwsCredentialIdentity): string {
  let text: string;
  if (error instanceof Error) {
    text = error.message ? `${error.name}: ${error.message}` : error.name;
  } else {
    try {
      text = String(error);
    } catch {
      text = "unknown error";
    }
  }
  return redactSecrets(text, secrets);
}

/** Name and message of an error, JSON-safe and without secrets (what `status().lastError` holds). */
export interface ErrorSummary {
  name: string;
  message: string;
}

/** Summarizes a thrown value for `status()`. */
export function summarizeError(error: unknown, secrets?: AwsCredentialIdentity): ErrorSummary {
  if (error instanceof Error) return { name: error.name, message: redactSecrets(error.message, secrets) };
  return { name: "Error", message: describeError(error, secrets) };
}

function redactSecrets(text: string, secrets?: AwsCredentialIdentity): string {
  return redactText(text, [secrets?.secretAccessKey, secrets?.sessionToken]);
}
