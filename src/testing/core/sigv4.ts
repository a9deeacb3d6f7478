import { timingSafeEqual } from "node:crypto";
import type { CredentialStore, KnownCredentials } from "./credential-store.js";
import { FakeAwsError, type FakeRequest } from "./fake-service.js";
import {
  SIGV4_ALGORITHM,
  UNSIGNED_PAYLOAD,
  canonicalRequest,
  headerValue,
  sha256Hex,
  signatureHex,
  signingKey,
  stringToSign,
} from "./sigv4-canonical.js";
import { AuthorizationSyntaxError, claimedAccessKeyId, formatAmzDate, parseAmzDate, parseAuthorization, type ParsedAuthorization } from "./sigv4-parse.js";

/** What a service expects of the signature's scope. */
export interface SigV4Expectation {
  /** Signing name, e.g. `sqs`, `sts`. A request scoped to another service is rejected. */
  service: string;
  /** If set, a request scoped to another region is rejected (as AWS does). */
  region?: string;
  /** Allowed clock skew between the request's date and the fake's clock. Default 15 minutes, as AWS. */
  maxSkewMs?: number;
}

const FIFTEEN_MINUTES = 15 * 60 * 1000;

// The messages are AWS's own wording, so that test output reads like production logs. None of them
// ever quotes a secret key or a session token.
const INVALID_TOKEN = "The security token included in the request is invalid.";
const EXPIRED_TOKEN = "The security token included in the request is expired";
const SIGNATURE_MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

const denied = (code: string, message: string): FakeAwsError => new FakeAwsError(403, code, message);
const incomplete = (message: string): FakeAwsError => new FakeAwsError(400, "IncompleteSignature", message);

/** What a request's signature says, from its `Authorization` header or its query string (presigned). */
interface SignatureClaim {
  auth: ParsedAuthorization;
  /** The `X-Amz-Date` as sent (trimmed), which the string to sign quotes; absent when `Date` was used. */
  amzDateHeader: string | undefined;
  signedAt: number;
  token: string | undefined;
  /** `X-Amz-Expires` of a presigned request. */
  expiresSeconds: number | undefined;
}

const QUERY_AUTH_PARAMS = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"] as const;
const ONE_WEEK_SECONDS = 604_800;

function readSignature(request: FakeRequest): SignatureClaim {
  const authorization = headerValue(request.headers, "authorization");
  const query = request.url.searchParams;
  if ((authorization === undefined || authorization.trim() === "") && (query.has("X-Amz-Signature") || query.has("X-Amz-Credential") || query.has("X-Amz-Algorithm"))) {
    return readQuerySignature(query, request);
  }
  if (authorization === undefined || authorization.trim() === "") {
    throw denied("MissingAuthenticationToken", "Request is missing Authentication Token");
  }

  let auth;
  try {
    auth = parseAuthorization(authorization, SIGV4_ALGORITHM);
  } catch (error) {
    if (error instanceof AuthorizationSyntaxError) throw incomplete(error.message);
    throw error;
  }
  const amzDateHeader = headerValue(request.headers, "x-amz-date");
  const dateHeader = headerValue(request.headers, "date");
  if (amzDateHeader === undefined && dateHeader === undefined) {
    throw incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  const signedAt = amzDateHeader !== undefined ? parseAmzDate(amzDateHeader) : Date.parse(dateHeader!);
  if (signedAt === undefined || Number.isNaN(signedAt)) {
    throw incomplete(`Date must be in ISO-8601 'basic format'. Got '${amzDateHeader ?? dateHeader}'.`);
  }
  return { auth, amzDateHeader: amzDateHeader?.trim(), signedAt, token: headerValue(request.headers, "x-amz-security-token"), expiresSeconds: undefined };
}

/** Query-string authentication (`?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=…&X-Amz-Signature=…`). */
function readQuerySignature(query: URLSearchParams, request: FakeRequest): SignatureClaim {
  const missing = QUERY_AUTH_PARAMS.filter((name) => !query.get(name));
  if (missing.length > 0) {
    throw incomplete(`AWS query-string parameters must include ${missing.map((m) => `'${m}'`).join(", ")}. Re-examine the query-string parameters.`);
  }
  const header = `${query.get("X-Amz-Algorithm")} Credential=${query.get("X-Amz-Credential")}, SignedHeaders=${query.get("X-Amz-SignedHeaders")}, Signature=${query.get("X-Amz-Signature")}`;
  let auth;
  try {
    auth = parseAuthorization(header, SIGV4_ALGORITHM);
  } catch (error) {
    if (error instanceof AuthorizationSyntaxError) throw incomplete(error.message.replace("Authorization header requires", "AWS query-string parameters must include"));
    throw error;
  }
  const amzDate = query.get("X-Amz-Date")!.trim();
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) throw incomplete(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'". Got '${amzDate}'.`);
  const rawExpires = query.get("X-Amz-Expires");
  let expiresSeconds: number | undefined;
  if (rawExpires !== null) {
    expiresSeconds = Number(rawExpires);
    if (!/^\d+$/.test(rawExpires) || expiresSeconds < 1) throw new FakeAwsError(400, "AuthorizationQueryParametersError", "X-Amz-Expires should be a number greater than 0.");
    if (expiresSeconds > ONE_WEEK_SECONDS) {
      throw new FakeAwsError(400, "AuthorizationQueryParametersError", `X-Amz-Expires must be less than a week (in seconds) that is ${ONE_WEEK_SECONDS}.`);
    }
  }
  const token = query.get("X-Amz-Security-Token") ?? headerValue(request.headers, "x-amz-security-token");
  return { auth, amzDateHeader: amzDate, signedAt, token: token ?? undefined, expiresSeconds };
}

/**
 * Verifies the SigV4 `Authorization` header (or, for a presigned URL, the query-string signature) of a request against the credentials the fake knows, the
 * way AWS front ends do, and returns whose credentials signed it. Wire-level and service-agnostic: it
 * throws `FakeAwsError` with AWS's codes, and each service renders them in its own wire shape.
 *
 * - no `Authorization` header and no query-string signature: `MissingAuthenticationToken` (403)
 * - a presigned URL past its `X-Amz-Expires`: `AccessDenied` (403); a bad `X-Amz-Expires`: `AuthorizationQueryParametersError` (400)
 * - malformed header or missing date: `IncompleteSignature` (400)
 * - unknown access key id, or a session token that is missing, wrong or not expected: `InvalidClientTokenId` (403)
 * - credentials past their expiry: `ExpiredToken` (403)
 * - scope for another service/region, date more than 15 minutes off, or a wrong signature: `SignatureDoesNotMatch` (403)
 *
 * @example
 * ```ts
 * const definition: ServiceDefinition = {
 *   parse(request) {
 *     const who = verifySigV4(request, ctx.store, { service: "sqs", region: ctx.region });
 *     return { action: "SendMessage", accessKeyId: who.accessKeyId, handle: () => ({ status: 200, body: "{}" }) };
 *   },
 *   // ...
 * };
 * ```
 */
export function verifySigV4(request: FakeRequest, store: CredentialStore, expect: SigV4Expectation): KnownCredentials {
  const { auth, amzDateHeader, signedAt, token, expiresSeconds } = readSignature(request);

  if (auth.terminator !== "aws4_request") {
    throw denied("SignatureDoesNotMatch", `Credential should be scoped with a valid terminator: 'aws4_request', not '${auth.terminator}'.`);
  }
  if (auth.service !== expect.service) {
    throw denied("SignatureDoesNotMatch", `Credential should be scoped to correct service: '${expect.service}'.`);
  }
  if (expect.region !== undefined && auth.region !== expect.region) {
    throw denied("SignatureDoesNotMatch", `Credential should be scoped to a valid region, not '${auth.region}'.`);
  }
  if (!auth.signedHeaders.includes("host")) {
    throw incomplete("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }
  const amzDate = formatAmzDate(signedAt);
  if (auth.shortDate !== amzDate.slice(0, 8)) {
    throw denied(
      "SignatureDoesNotMatch",
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.shortDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }

  const known = store.get(auth.accessKeyId);
  if (known === undefined) throw denied("InvalidClientTokenId", INVALID_TOKEN);
  if ((known.sessionToken ?? undefined) !== (token ?? undefined)) throw denied("InvalidClientTokenId", INVALID_TOKEN);

  const now = request.now();
  if (known.expiresAt !== undefined && now >= known.expiresAt) throw denied("ExpiredToken", EXPIRED_TOKEN);

  const maxSkew = expect.maxSkewMs ?? FIFTEEN_MINUTES;
  if (signedAt < now - maxSkew) {
    throw denied(
      "SignatureDoesNotMatch",
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - maxSkew)} (${formatAmzDate(now)} - ${Math.round(maxSkew / 60_000)} min.)`,
    );
  }
  if (signedAt > now + maxSkew) {
    throw denied(
      "SignatureDoesNotMatch",
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + maxSkew)} (${formatAmzDate(now)} + ${Math.round(maxSkew / 60_000)} min.)`,
    );
  }

  const bodyHash = sha256Hex(Buffer.from(request.body, "utf8"));
  const declaredHash = headerValue(request.headers, "x-amz-content-sha256");
  if (declaredHash !== undefined && declaredHash !== UNSIGNED_PAYLOAD && declaredHash !== bodyHash) {
    throw denied("SignatureDoesNotMatch", "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }

  const canonical = canonicalRequest({
    method: request.method,
    rawPath: request.url.pathname,
    rawQuery: request.url.search,
    headers: request.headers,
    signedHeaders: auth.signedHeaders,
    payloadHash: declaredHash ?? bodyHash,
  });
  if (canonical === undefined) throw denied("SignatureDoesNotMatch", SIGNATURE_MISMATCH);
  const expected = signatureHex(
    signingKey(known.secretAccessKey, auth.shortDate, auth.region, auth.service),
    stringToSign(amzDateHeader ?? amzDate, auth.scope, canonical),
  );
  const given = Buffer.from(auth.signature, "utf8");
  const wanted = Buffer.from(expected, "utf8");
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    throw denied("SignatureDoesNotMatch", SIGNATURE_MISMATCH);
  }
  // A presigned URL lives X-Amz-Expires seconds from its date (and never past the skew window above).
  // Checked once the signature holds, so a URL whose expiry was edited is reported as tampered.
  if (expiresSeconds !== undefined && now > signedAt + expiresSeconds * 1000) throw denied("AccessDenied", "Request has expired");
  return known;
}

/**
 * The access key id a request claims, in its `Authorization` header or presigned query string, read
 * without verifying anything (call logs record who a request says it is, even when it is then rejected).
 */
export function claimedAccessKeyIdOf(request: FakeRequest): string | undefined {
  return claimedAccessKeyId(headerValue(request.headers, "authorization")) ?? request.url.searchParams.get("X-Amz-Credential")?.split("/")[0];
}
