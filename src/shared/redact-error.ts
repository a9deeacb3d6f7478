/**
 * Errors fit to hang off ours as `cause`. `util.inspect` prints a whole `.cause` chain, hidden fields
 * included when asked, so a cause must not carry what an SDK error may: the raw HTTP response
 * (`$response`, `$responseBodyText` — a truncated STS reply holds the new secret key), a secret the
 * service echoed in its message (a web identity token in a validation error), or a plain object some
 * library hung off its error (described, never serialised: its values are unknown). Every text is also
 * masked for secret-shaped strings nobody named (see `maskSecretShapes`).
 */
import { describeValue } from "./describe-value.js";
import { isRecord } from "./is-record.js";
import { maskSecretShapes } from "./secret-shapes.js";


/** Fields of SDK errors that hold the raw HTTP exchange. */
const RAW_FIELDS = ["$response", "$responseBodyText"] as const;
/** Fields worth keeping on a copy: what callers classify errors by. */
const KEPT_FIELDS = ["code", "Code", "Type", "$fault", "$metadata", "$retryable", "tryNextLink", "errno", "syscall", "statusCode"] as const;
/**
 * Secrets whose value we cannot know in advance (the *new* keys in an STS or container reply that an
 * error quotes): masked wherever a reply would carry them, XML elements and JSON fields alike, also in
 * a reply cut short (SDK errors truncate bodies).
 */
const SECRET_ELEMENT = /<(SecretAccessKey|SessionToken|Token|WebIdentityToken)>[^<]*/g;
/** A JSON field, also when the JSON is itself quoted (escaped quotes) or cut short. Secrets hold no quotes. */
const SECRET_JSON_FIELD = /(\\?"(?:SecretAccessKey|SessionToken|Token|WebIdentityToken|secretAccessKey|sessionToken)\\?"\s*:\s*\\?")[^"\\]*/g;
/** Fields the copy sets itself. */
const OWN_FIELDS: readonly string[] = ["name", "message", "stack", "cause"];
/** Cause chains are short; a longer one is cut (and a cyclic one cannot loop). */
const MAX_DEPTH = 5;

const has = (value: object, key: string): boolean => Object.prototype.hasOwnProperty.call(value, key);

/**
 * Returns `error` itself when it is safe, otherwise a plain `Error` copy with the same name, message,
 * stack, code and HTTP metadata, with every secret replaced by `[redacted]`, without the raw response,
 * and with its own `cause` made safe the same way. Secrets shorter than 8 characters are not searched
 * for (they would match ordinary words). Object-valued fields other than `$metadata` make a copy that
 * leaves them out. A value that is not an error is returned as it is when primitive (strings redacted);
 * an object becomes an `Error` that describes it (kind and field names, no values).
 *
 * @example
 * ```ts
 * throw credentialsError("AssumeRoleWithWebIdentity failed", { tryNextLink: false, cause: redactError(sdkError, [token]) });
 * ```
 */
export function redactError(error: unknown, secrets: readonly (string | undefined)[] = []): unknown {
  return redact(error, searchable(secrets), 0, false);
}

/**
 * Like {@link redactError}, but always a copy: a fresh object with the error's prototype (so `instanceof`
 * and `name` hold), its name, message, stack, classification fields (`code`, `$metadata`, `tryNextLink`,
 * …) and other own fields of primitive value — all redacted — and a redacted `cause`. Object-valued fields
 * (a raw response, a request, a config holding keys) are not carried over. A thrown value that is not an
 * error becomes an `Error` describing it: a string redacted, an object by its kind and field names, never
 * its values. This is what the refresh engine records once per failure.
 *
 * @example
 * ```ts
 * const safe = redactedCopy(sourceError, [held.secretAccessKey, held.sessionToken]);
 * ```
 */
export function redactedCopy(error: unknown, secrets: readonly (string | undefined)[] = []): Error {
  return redact(error, searchable(secrets), 0, true) as Error;
}

/**
 * A thrown value that is not an `Error`, as an `Error` whose message describes it (redacted). The
 * classification fields of an object (`code`, `statusCode`, …) are kept when primitive.
 */
function errorFromValue(value: unknown, text: (value: string) => string): Error {
  const error = new Error(text(describeValue(value)));
  if (isRecord(value)) {
    const target = error as unknown as Record<string, unknown>;
    for (const key of KEPT_FIELDS) {
      const field = has(value, key) ? value[key] : undefined;
      if (typeof field === "string") target[key] = text(field);
      else if (typeof field === "number" || typeof field === "boolean") target[key] = field;
    }
  }
  return error;
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
  const known = secrets.reduce((out, secret) => out.split(secret).join("[redacted]"), value);
  return maskSecretShapes(known.replace(SECRET_ELEMENT, "<$1>[redacted]").replace(SECRET_JSON_FIELD, "$1[redacted]"));
}

function redact(error: unknown, secrets: readonly string[], depth: number, copyAlways: boolean): unknown {
  const text = (value: string): string => replaceAll(value, secrets);
  if (!(error instanceof Error)) {
    if (copyAlways || isRecord(error) || typeof error === "function") return errorFromValue(error, text);
    return typeof error === "string" ? text(error) : error;
  }

  const source = error as unknown as Record<string, unknown>;
  const message = String(error.message);
  const stack = typeof error.stack === "string" ? error.stack : undefined;
  const cause: unknown = has(error, "cause") ? source.cause : undefined;
  const safeCause = cause === undefined || depth >= MAX_DEPTH ? undefined : redact(cause, secrets, depth + 1, copyAlways);
  const primitive = (value: unknown): boolean => value === null || (typeof value !== "object" && typeof value !== "function");
  const kept = copyAlways
    ? Object.keys(error).filter(
        (key) =>
          !OWN_FIELDS.includes(key) &&
          !(RAW_FIELDS as readonly string[]).includes(key) &&
          ((KEPT_FIELDS as readonly string[]).includes(key) || primitive(source[key])),
      )
    : KEPT_FIELDS.filter((key) => has(error, key));
  const unchanged = (value: unknown): boolean => typeof value !== "string" || text(value) === value;
  // An object in a field we do not keep (a reply, a config) cannot be checked: the copy leaves it out.
  const unknownObject = Object.keys(error).some((key) => !OWN_FIELDS.includes(key) && !(KEPT_FIELDS as readonly string[]).includes(key) && !primitive(source[key]));
  const clean =
    !copyAlways &&
    !unknownObject &&
    !RAW_FIELDS.some((key) => has(error, key)) &&
    unchanged(message) &&
    unchanged(stack) &&
    safeCause === cause &&
    [...kept, ...Object.keys(error)].every((key) => unchanged(source[key]));
  if (clean) return error;

  const copy: Error = copyAlways ? (Object.create(Object.getPrototypeOf(error) as object) as Error) : new Error(text(message));
  const hidden = (key: string, value: unknown): void => {
    Object.defineProperty(copy, key, { value, writable: true, configurable: true, enumerable: false });
  };
  if (copyAlways) hidden("message", text(message));
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
