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
import { AuthorizationSyntaxError, formatAmzDate, parseAmzDate, parseAuthorization } from "./sigv4-parse.js";

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
// AWS's words plus what to do: a test signing with its own keys (local mode, `test`/`test`) meets this first.
const UNKNOWN_KEY =
  `${INVALID_TOKEN} (awscreds fake: this access key id is unknown to the fakes. They accept credentials issued by ` +
  "their STS, IMDS and container endpoint, and static keys registered with fake.registerStaticKeys(): call " +
  "fake.registerStaticKeys({ accessKeyId, secretAccessKey }) with the keys your code signs with, e.g. local mode's " +
  "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use the keys it returns.)";
const EXPIRED_TOKEN = "The security token included in the request is expired";
const SIGNATURE_MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

const denied = (code: string, message: string): FakeAwsError => new FakeAwsError(403, code, message);
const incomplete = (message: string): FakeAwsError => new FakeAwsError(400, "IncompleteSignature", message);

/**
 * Verifies the SigV4 `Authorization` header of a request against the credentials the fake knows, the
 * way AWS front ends do, and returns whose credentials signed it. Wire-level and service-agnostic: it
 * throws `FakeAwsError` with AWS's codes, and each service renders them in its own wire shape.
 *
 * - no `Authorization` header: `MissingAuthenticationToken` (403)
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
  const authorization = headerValue(request.headers, "authorization");
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

  const amzDateHeader = headerValue(request.headers, "x-amz-date");
  const dateHeader = headerValue(request.headers, "date");
  if (amzDateHeader === undefined && dateHeader === undefined) {
    throw incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  const signedAt = amzDateHeader !== undefined ? parseAmzDate(amzDateHeader) : Date.parse(dateHeader!);
  if (signedAt === undefined || Number.isNaN(signedAt)) {
    throw incomplete(`Date must be in ISO-8601 'basic format'. Got '${amzDateHeader ?? dateHeader}'.`);
  }
  const amzDate = formatAmzDate(signedAt);
  if (auth.shortDate !== amzDate.slice(0, 8)) {
    throw denied(
      "SignatureDoesNotMatch",
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.shortDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }

  const known = store.get(auth.accessKeyId);
  if (known === undefined) throw denied("InvalidClientTokenId", UNKNOWN_KEY);
  const token = headerValue(request.headers, "x-amz-security-token");
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
    stringToSign(amzDateHeader?.trim() ?? amzDate, auth.scope, canonical),
  );
  const given = Buffer.from(auth.signature, "utf8");
  const wanted = Buffer.from(expected, "utf8");
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    throw denied("SignatureDoesNotMatch", SIGNATURE_MISMATCH);
  }
  return known;
}
