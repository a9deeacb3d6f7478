/**
 * Decodes the claims of a JSON Web Token without verifying it (STS verifies it; doctor only shows what is
 * inside). Pure. Only the payload's registered claims are returned: never the token or its signature.
 */
import type { TokenClaims } from "./report.js";

export type DecodedClaims = { ok: true; claims: TokenClaims } | { ok: false; problem: string };

const stringOrNull = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);

const secondsToIso = (value: unknown): string | null => {
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  const date = new Date(value * 1000);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
};

/**
 * The `iss`, `aud`, `sub`, `iat` and `exp` of a JWT, decoded (base64url JSON), not verified.
 *
 * @param now - epoch ms, to tell whether `exp` has passed.
 *
 * @example
 * ```ts
 * const decoded = decodeJwtClaims(token, Date.now());
 * if (decoded.ok) console.log(decoded.claims.audience, decoded.claims.expiresAt);
 * ```
 */
export function decodeJwtClaims(token: string, now: number): DecodedClaims {
  const parts = token.trim().split(".");
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part)) || parts[1] === "") {
    return { ok: false, problem: "the file does not hold a JWT (expected three base64url parts separated by dots)" };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8"));
  } catch {
    return { ok: false, problem: "the token's payload is not JSON" };
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return { ok: false, problem: "the token's payload is not a JSON object" };
  }
  const p = payload as Record<string, unknown>;
  const audience = Array.isArray(p.aud) ? p.aud.filter((a): a is string => typeof a === "string") : typeof p.aud === "string" ? [p.aud] : [];
  const expiresAt = secondsToIso(p.exp);
  return {
    ok: true,
    claims: {
      issuer: stringOrNull(p.iss),
      audience,
      subject: stringOrNull(p.sub),
      issuedAt: secondsToIso(p.iat),
      expiresAt,
      expired: expiresAt !== null && Date.parse(expiresAt) <= now,
    },
  };
}
