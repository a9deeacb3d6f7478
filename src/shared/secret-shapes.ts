/**
 * The second line of defence against leaks: secrets nobody told us about (a key quoted by someone else's
 * error, a token in a URL a library printed) are recognised by their shape. The first line — masking the
 * secrets we hold and the fields a reply names — cannot know them.
 *
 * Shapes, as AWS issues them:
 * - a secret access key: exactly 40 characters of base64 (`A-Z a-z 0-9 + /`), random, so it mixes upper
 *   and lower case (a 40-digit hex hash does not);
 * - an STS session token: base64 running to hundreds of characters (URL-encoded in a query string too);
 * - a web identity token: a JWT (`eyJ….….…`).
 */

/** Base64 without its padding: `=` only ends a value, and `key=value` must not join a name to a secret. */
const B64 = "A-Za-z0-9+/";
/** 40 base64 characters not touching more of them. */
const SECRET_KEY = new RegExp(`(?<![${B64}])[${B64}]{40}(?![${B64}=])`, "g");
/** 100 or more base64 characters (or their URL encodings) in one run, with their padding. */
const SESSION_TOKEN = new RegExp(`(?<![${B64}%])(?:[${B64}]|%2[BbFf]){100,}(?:={1,2}|(?:%3[Dd]){1,2})?(?![${B64}])`, "g");
/** A JWT: base64url header (always `{"` → `eyJ`), payload and signature. */
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;

/**
 * Random base64 mixes upper and lower case (a 40-character key lacks one of them about once in 10⁹);
 * hex hashes, upper-case constants and most paths do not, and are left alone. A camel-case word of
 * exactly 40 letters would be masked: harmless.
 */
const looksRandom = (value: string): boolean => /[A-Z]/.test(value) && /[a-z]/.test(value);

/**
 * `text` with everything shaped like an AWS secret access key, session token or web identity token
 * replaced by `[redacted]`. Access key ids (20 characters, not secret) and request ids are left alone.
 *
 * @example
 * ```ts
 * maskSecretShapes("signature mismatch for wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
 * // "signature mismatch for [redacted]"
 * ```
 */
export function maskSecretShapes(text: string): string {
  const mask = (match: string): string => (looksRandom(match) ? "[redacted]" : match);
  return text.replace(JWT, "[redacted]").replace(SESSION_TOKEN, mask).replace(SECRET_KEY, mask);
}
