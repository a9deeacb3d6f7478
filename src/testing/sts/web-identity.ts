/**
 * What the fake STS checks of a web identity token. It cannot verify signatures (there is no identity
 * provider), but it rejects what real STS rejects without one: a token that is not a JWT, and one past
 * its `exp`. Everything else is read from the claims, as STS reports it back.
 */
import { FakeAwsError } from "../core/fake-service.js";

export interface WebIdentityClaims {
  /** `SubjectFromWebIdentityToken`. */
  subject: string;
  /** `Audience`: the `aud` claim (its first value when it is a list). */
  audience: string;
  /** The `iss` claim, without its scheme (`oidc.eks.us-east-1.amazonaws.com/id/…`). */
  issuerHost: string | undefined;
}

const INVALID =
  "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.";

function decodeSegment(segment: string): unknown {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(segment)) return undefined;
  try {
    return JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Reads and checks the claims of `token` at time `now` (epoch ms).
 * Throws `InvalidIdentityToken` for a non-JWT and `ExpiredTokenException` for an expired one.
 */
export function checkWebIdentityToken(token: string, now: number): WebIdentityClaims {
  const parts = token.trim().split(".");
  const header = parts.length === 3 ? decodeSegment(parts[0]!) : undefined;
  const payload = parts.length === 3 ? decodeSegment(parts[1]!) : undefined;
  if (!isObject(header) || !isObject(payload)) {
    throw new FakeAwsError(400, "InvalidIdentityToken", `${INVALID} (The ID Token provided is not a valid JWT.)`);
  }
  const nowSeconds = Math.floor(now / 1000);
  if (typeof payload.exp === "number" && payload.exp <= nowSeconds) {
    // Real STS's wording, missing space included.
    throw new FakeAwsError(400, "ExpiredTokenException", `Token expired: current date/time ${nowSeconds} must be before the expiration date/time${payload.exp}`);
  }
  const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
  const iss = typeof payload.iss === "string" ? payload.iss.replace(/^https?:\/\//, "") : undefined;
  return {
    subject: typeof payload.sub === "string" ? payload.sub : "",
    audience: typeof aud === "string" ? aud : "",
    issuerHost: iss,
  };
}
