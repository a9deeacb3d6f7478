/**
 * `error.type` for metrics and spans: the error's class or AWS error code, never its message. Low
 * cardinality (as the semantic conventions require) and secret-free by construction: only a short
 * identifier-like name passes; anything else is `_OTHER`.
 */
import { isRecord } from "../shared/is-record.js";

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

/**
 * The `error.type` value for `error`: an AWS error's `name` (`ThrottlingException`,
 * `InvalidIdentityToken`, `TimeoutError`), a Node.js system error's `code` when its name is the generic
 * `Error` (`ECONNREFUSED`), else the class name; `_OTHER` when none looks like an identifier. A
 * `CredentialsProviderError` (what a source throws) reports its cause's type when it has one.
 *
 * @example
 * ```ts
 * errorType(Object.assign(new Error("boom"), { name: "ThrottlingException" })); // "ThrottlingException"
 * errorType(Object.assign(new Error("connect"), { code: "ECONNREFUSED" }));    // "ECONNREFUSED"
 * errorType("a string");                                                       // "_OTHER"
 * // A CredentialsProviderError says what it wraps: its cause's type (e.g. "Throttling", "ENOENT").
 * ```
 */
export function errorType(error: unknown, depth = 0): string {
  if (!isRecord(error)) return "_OTHER";
  // A provider error wraps what failed (an STS error, a file error): its cause says more than its class.
  if (error.name === "CredentialsProviderError" && depth < 3 && isRecord(error.cause)) {
    const inner = errorType(error.cause, depth + 1);
    if (inner !== "_OTHER") return inner;
  }
  const name = typeof error.name === "string" ? error.name : undefined;
  const code = typeof error.code === "string" ? error.code : undefined;
  if (name !== undefined && name !== "Error" && IDENTIFIER.test(name)) return name;
  if (code !== undefined && IDENTIFIER.test(code)) return code;
  if (name !== undefined && IDENTIFIER.test(name)) return name;
  return "_OTHER";
}
