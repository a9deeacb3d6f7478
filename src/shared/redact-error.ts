/**
 * Errors fit to hang off ours as `cause`. `util.inspect` prints a whole `.cause` chain, hidden fields
 * included when asked, so a cause must not carry what an SDK error may: the raw HTTP response
 * (`$response`, `$responseBodyText` — a truncated STS reply holds the new secret key) or a secret the
 * service echoed in its message (a web identity token in a validation error).
 */

/** Fields of SDK errors that hold the raw HTTP exchange. */
const RAW_FIELDS = ["$response", "$responseBodyText"] as const;
/** Fields worth keeping on a copy: what callers classify errors by. */
const KEPT_FIELDS = ["code", "Code", "Type", "$fault", "$metadata", "$retryable", "tryNextLink", "errno", "syscall", "statusCode"] as const;
/** Cause chains are short; a longer one is cut (and a cyclic one cannot loop). */
const MAX_DEPTH = 5;

const has = (value: object, key: string): boolean => Object.prototype.hasOwnProperty.call(value, key);

/**
 * Returns `error` itself when it is safe, otherwise a plain `Error` copy with the same name, message,
 * stack, code and HTTP metadata, with every secret replaced by `[redacted]`, without the raw response,
 * and with its own `cause` made safe the same way. Secrets shorter than 8 characters are not searched
 * for (they would match ordinary words). Values that are not errors are returned as they are, except
 * strings, which are redacted.
 *
 * @example
 * ```ts
 * throw credentialsError("AssumeRoleWithWebIdentity failed", { tryNextLink: false, cause: redactError(sdkError, [token]) });
 * ```
 */
export function redactError(error: unknown, secrets: readonly (string | undefined)[] = []): unknown {
  return redact(error, searchable(secrets), 0);
}

/**
 * `text` with every secret replaced by `[redacted]`, by the same rules as {@link redactError} (secrets
 * shorter than 8 characters are not searched for).
 *
 * @example
 * ```ts
 * redactText(`failed: ${sdkError.message}`, [credentials.secretAccessKey, credentials.sessionToken]);
 * ```
 */
export function redactText(text: string, secrets: readonly (string | undefined)[]): string {
  return replaceAll(text, searchable(secrets));
}

function searchable(secrets: readonly (string | undefined)[]): string[] {
  return secrets.filter((s): s is string => typeof s === "string" && s.length >= 8);
}

function replaceAll(value: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => out.split(secret).join("[redacted]"), value);
}

function redact(error: unknown, secrets: readonly string[], depth: number): unknown {
  const text = (value: string): string => replaceAll(value, secrets);
  if (typeof error === "string") return text(error);
  if (!(error instanceof Error)) return error;

  const source = error as unknown as Record<string, unknown>;
  const message = String(error.message);
  const stack = typeof error.stack === "string" ? error.stack : undefined;
  const cause: unknown = has(error, "cause") ? source.cause : undefined;
  const safeCause = cause === undefined || depth >= MAX_DEPTH ? undefined : redact(cause, secrets, depth + 1);
  const kept = KEPT_FIELDS.filter((key) => has(error, key));
  const unchanged = (value: unknown): boolean => typeof value !== "string" || text(value) === value;
  const clean =
    !RAW_FIELDS.some((key) => has(error, key)) &&
    unchanged(message) &&
    unchanged(stack) &&
    safeCause === cause &&
    kept.every((key) => unchanged(source[key]));
  if (clean) return error;

  const copy = new Error(text(message));
  const hidden = (key: string, value: unknown): void => {
    Object.defineProperty(copy, key, { value, writable: true, configurable: true, enumerable: false });
  };
  hidden("name", error.name);
  hidden("stack", stack === undefined ? undefined : text(stack));
  const target = copy as unknown as Record<string, unknown>;
  for (const key of kept) {
    const value = source[key];
    target[key] = typeof value === "string" ? text(value) : value;
  }
  if (safeCause !== undefined) hidden("cause", safeCause);
  return copy;
}
