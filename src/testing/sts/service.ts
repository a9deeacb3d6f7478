/**
 * The fake STS: awsQuery over HTTP(S) on loopback, answering `AssumeRoleWithWebIdentity`, `AssumeRoleWithSAML`,
 * `AssumeRole`, `GetCallerIdentity`, `GetSessionToken`, `GetFederationToken` and `GetAccessKeyInfo` (signed in a header or presigned) with the XML and error codes real STS uses, so `@aws-sdk/client-sts` (and every
 * provider built on it) behaves against it as it would against `sts.<region>.amazonaws.com`.
 */
import { randomUUID } from "node:crypto";
import type { KnownCredentials } from "../core/credential-store.js";
import { extendHandle, FakeAwsError, startFakeService, type FakeRequest, type FakeServiceHandle, type ParsedCall, type Reply } from "../core/fake-service.js";
import type { FaultError } from "../core/faults.js";
import { queryParams } from "../core/query-params.js";
import { claimedAccessKeyIdOf, verifySigV4 } from "../core/sigv4.js";
import type { FakeContext } from "../core/context.js";
import { callerUserId, checkLifetime, issueRoleCredentials, type IssuedRoleCredentials } from "./identity.js";
import { AccountRateLimiter, type FakeStsRateLimit } from "./rate-limit.js";
import { FakeRoleRegistry, type FakeRoleSettings } from "./roles.js";
import { checkSessionParams, checkSessionSemantics, readSessionParams } from "./session-params.js";
import { ConstraintViolations, readRoleParams, validateRoleRequest, type RoleRequest } from "./validate.js";
import { accessKeyAccount, issueSessionToken } from "./session-token.js";
import { checkWebIdentityToken } from "./web-identity.js";
import { issueFederationToken } from "./federation.js";
import { checkSamlAssertion, nameQualifier } from "./saml.js";
import { renderError, renderResult, type XmlValue } from "./xml.js";

export const STS_API_VERSION = "2011-06-15";

/** The STS actions the fake implements. */
export const STS_ACTIONS = [
  "AssumeRoleWithWebIdentity",
  "AssumeRoleWithSAML",
  "AssumeRole",
  "GetCallerIdentity",
  "GetSessionToken",
  "GetFederationToken",
  "GetAccessKeyInfo",
] as const;

export interface FakeStsOptions {
  /**
   * Lifetime of issued credentials, in seconds (fractions allowed; keep it at 2 or more, since expiries
   * are whole seconds on the wire). Acts like the role's maximum session duration: a request's
   * `DurationSeconds` can shorten it, never lengthen it. Default 3600.
   */
  credentialLifetimeSeconds?: number;
  /** Latency added before every answer, in ms (same as `faults.setLatency`). */
  latencyMs?: number;
  /**
   * Serve HTTPS with this PEM key and certificate instead of HTTP (e.g. a certificate for
   * `sts.us-east-1.amazonaws.com` from a test CA, to prove which hostname a client asks for via SNI/Host).
   */
  tls?: { key: string; cert: string };
  /** Roles with their trust and session settings (same as `registerRole` for each). */
  roles?: readonly FakeRoleSettings[];
  /** STS's request-rate quota per account (same as `setRateLimit`). Default: none. */
  rateLimit?: FakeStsRateLimit;
}

/** Credentials the fake STS issued (no secrets: look them up in the shared store if a test needs them). */
export interface IssuedStsCredentials {
  readonly action: "AssumeRoleWithWebIdentity" | "AssumeRoleWithSAML" | "AssumeRole" | "GetSessionToken" | "GetFederationToken";
  readonly accessKeyId: string;
  /** Epoch ms; the `Expiration` the client was told. */
  readonly expiresAt: number;
  /** The role assumed; for `GetSessionToken` and `GetFederationToken`, the calling IAM user's ARN. */
  readonly roleArn: string;
  /** Empty for `GetSessionToken`; the federated user's name for `GetFederationToken`. */
  readonly roleSessionName: string;
  /** `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` (`…:federated-user/NAME` for `GetFederationToken`). */
  readonly assumedRoleArn: string;
  /** Epoch ms when they were issued. */
  readonly issuedAt: number;
  /** AssumeRole: the ARN of the credentials that signed the call. */
  readonly callerArn?: string;
  /** AssumeRole: the ExternalId sent. */
  readonly externalId?: string;
  /** The DurationSeconds sent. */
  readonly durationSeconds?: number;
  /** AssumeRole: the session tags sent. */
  readonly tags?: Readonly<Record<string, string>>;
  /** AssumeRole: the SourceIdentity sent. */
  readonly sourceIdentity?: string;
}

/** The fake STS as tests see it. */
export interface FakeStsHandle extends FakeServiceHandle {
  /** Every set of credentials issued, in order. */
  readonly issued: readonly IssuedStsCredentials[];
  /** Current lifetime of newly issued credentials, in seconds. */
  readonly credentialLifetimeSeconds: number;
  /** Changes the lifetime of credentials issued from now on. */
  setCredentialLifetime(seconds: number): void;
  /**
   * Registers a role's trust policy and maximum session duration: AssumeRole from a principal it does not
   * trust, or without its ExternalId, is `AccessDenied`; a `DurationSeconds` over its maximum (or over 3600
   * when the caller is itself a role session) is `ValidationError` — each in STS's words. Registering the same
   * ARN again replaces its settings.
   */
  registerRole(settings: FakeRoleSettings): void;
  /**
   * Sets (or, with `undefined`, removes) STS's request-rate quota: AssumeRole and GetCallerIdentity of one
   * account share a token bucket; a call over the rate gets `Throttling` ("Rate exceeded", HTTP 400).
   */
  setRateLimit(limit: FakeStsRateLimit | undefined): void;
  /** Calls answered with `Throttling` by the rate limit so far. */
  readonly throttled: number;
}

type Params = URLSearchParams;

/**
 * Real STS actions (every other operation of the `@aws-sdk/client-sts` model) the fake does not implement:
 * answered with `UnsupportedOperation` (400), never as an operation STS does not have.
 */
export const STS_NOT_IMPLEMENTED: ReadonlySet<string> = new Set(["AssumeRoot", "DecodeAuthorizationMessage", "GetDelegatedAccessToken", "GetWebIdentityToken"]);

interface ActionSpec {
  /** Whether the call must carry a valid SigV4 signature (AssumeRoleWithWebIdentity is unsigned). */
  signed: boolean;
  details(params: Params): Record<string, unknown>;
  run(params: Params, request: FakeRequest, caller: KnownCredentials | undefined): Record<string, XmlValue | undefined>;
}

function roleDetails(params: Params): Record<string, unknown> {
  const role = readRoleParams(params);
  const duration = role.durationSeconds;
  return {
    roleArn: role.roleArn,
    roleSessionName: role.roleSessionName,
    durationSeconds: duration !== undefined && /^\d+$/.test(duration) ? Number(duration) : duration,
    policy: role.policy,
    policyArns: role.policyArns,
  };
}

/**
 * Starts the fake STS on 127.0.0.1 (ephemeral port).
 *
 * @example
 * ```ts
 * const sts = await startFakeSts(context, { credentialLifetimeSeconds: 5 });
 * const client = new STSClient({ region: "us-east-1", endpoint: sts.endpoint });
 * const out = await client.send(new AssumeRoleWithWebIdentityCommand({ RoleArn, RoleSessionName: "app", WebIdentityToken }));
 * await sts.close();
 * ```
 */
export async function startFakeSts(ctx: FakeContext, options: FakeStsOptions = {}): Promise<FakeStsHandle & { close(): Promise<void> }> {
  let lifetimeSeconds = checkLifetime(options.credentialLifetimeSeconds ?? 3600);
  const issued: IssuedStsCredentials[] = [];
  const roles = new FakeRoleRegistry();
  for (const role of options.roles ?? []) roles.register(role);
  const limiter = new AccountRateLimiter();
  limiter.set(options.rateLimit);

  /** Issues credentials for a validated role request and records them. */
  function issueFor(action: IssuedStsCredentials["action"], req: RoleRequest, extra: Partial<IssuedStsCredentials> = {}): IssuedRoleCredentials {
    // The configured lifetime plays the role's MaxSessionDuration; DurationSeconds may only shorten it.
    const seconds = Math.min(lifetimeSeconds, req.durationSeconds ?? 3600);
    const out = issueRoleCredentials(ctx, { role: req.role, sessionName: req.sessionName, lifetimeSeconds: seconds, issuer: "sts" });
    issued.push({
      action,
      accessKeyId: out.known.accessKeyId,
      expiresAt: out.known.expiresAt!,
      roleArn: req.roleArn,
      roleSessionName: req.sessionName,
      assumedRoleArn: out.identity.arn,
      issuedAt: ctx.now(),
      ...(req.durationSeconds !== undefined && { durationSeconds: req.durationSeconds }),
      ...extra,
    });
    return out;
  }

  const credentialsXml = (out: Pick<IssuedRoleCredentials, "known" | "expiration">): XmlValue => ({
    AccessKeyId: out.known.accessKeyId,
    SecretAccessKey: out.known.secretAccessKey,
    SessionToken: out.known.sessionToken!,
    Expiration: out.expiration,
  });

  const actions: Record<(typeof STS_ACTIONS)[number], ActionSpec> = {
    AssumeRoleWithWebIdentity: {
      signed: false,
      details: (params) => ({
        ...roleDetails(params),
        webIdentityToken: params.get("WebIdentityToken") ?? undefined,
        providerId: params.get("ProviderId") ?? undefined,
      }),
      run(params, request) {
        const violations = new ConstraintViolations();
        const token = params.get("WebIdentityToken") ?? undefined;
        violations.check("webIdentityToken", token, { required: true, min: 4, max: 20000, sensitive: true });
        violations.check("providerId", params.get("ProviderId") ?? undefined, { min: 4, max: 2048 });
        const req = validateRoleRequest(readRoleParams(params), violations);
        const claims = checkWebIdentityToken(token!, request.now());
        const providerId = params.get("ProviderId") ?? undefined;
        if (providerId === undefined && claims.issuerHost === undefined) {
          throw new FakeAwsError(400, "InvalidIdentityToken", "Missing a required claim: iss");
        }
        const out = issueFor("AssumeRoleWithWebIdentity", req);
        return {
          SubjectFromWebIdentityToken: claims.subject,
          Audience: claims.audience,
          AssumedRoleUser: { AssumedRoleId: out.identity.assumedRoleId, Arn: out.identity.arn },
          Credentials: credentialsXml(out),
          Provider: providerId ?? `arn:${req.role.partition}:iam::${req.role.account}:oidc-provider/${claims.issuerHost}`,
        };
      },
    },
    AssumeRole: {
      signed: true,
      details: (params) => {
        const session = readSessionParams(params);
        return {
          ...roleDetails(params),
          externalId: params.get("ExternalId") ?? undefined,
          tags: session.tags.length > 0 ? Object.fromEntries(session.tags.map((t) => [t.key, t.value])) : undefined,
          transitiveTagKeys: session.transitiveTagKeys.length > 0 ? session.transitiveTagKeys : undefined,
          sourceIdentity: session.sourceIdentity,
        };
      },
      run(params, _request, caller) {
        const violations = new ConstraintViolations();
        const externalId = params.get("ExternalId") ?? undefined;
        violations.check("externalId", externalId, { min: 2, max: 1224, pattern: /[\w+=,.@:/-]*/ });
        const session = readSessionParams(params);
        checkSessionParams(session, violations);
        const req = validateRoleRequest(readRoleParams(params), violations);
        checkSessionSemantics(session);
        roles.check({ roleArn: req.roleArn, caller: caller!, externalId, durationSeconds: req.durationSeconds });
        const out = issueFor("AssumeRole", req, {
          callerArn: caller!.arn,
          ...(externalId !== undefined && { externalId }),
          ...(session.tags.length > 0 && { tags: Object.fromEntries(session.tags.map((t) => [t.key, t.value])) }),
          ...(session.sourceIdentity !== undefined && { sourceIdentity: session.sourceIdentity }),
        });
        return {
          Credentials: credentialsXml(out),
          AssumedRoleUser: { AssumedRoleId: out.identity.assumedRoleId, Arn: out.identity.arn },
          // Real STS reports how much of the packed-policy budget a session policy used, in percent.
          PackedPolicySize: req.policy !== undefined ? Math.max(1, Math.ceil((req.policy.length / 2048) * 100)) : undefined,
        };
      },
    },
    AssumeRoleWithSAML: {
      signed: false,
      details: (params) => ({ ...roleDetails(params), principalArn: params.get("PrincipalArn") ?? undefined }),
      run(params, request) {
        const violations = new ConstraintViolations();
        const assertion = params.get("SAMLAssertion") ?? undefined;
        const principalArn = params.get("PrincipalArn") ?? undefined;
        violations.check("principalArn", principalArn, { required: true, min: 20, max: 2048 });
        violations.check("sAMLAssertion", assertion, { required: true, min: 4, max: 100_000, sensitive: true });
        violations.check("roleArn", params.get("RoleArn") ?? undefined, { required: true, min: 20, max: 2048 });
        violations.throwIfAny();
        const claims = checkSamlAssertion(assertion!, params.get("RoleArn")!, principalArn!, request.now());
        const req = validateRoleRequest({ ...readRoleParams(params), roleSessionName: claims.roleSessionName });
        const out = issueFor("AssumeRoleWithSAML", req);
        return {
          Credentials: credentialsXml(out),
          AssumedRoleUser: { AssumedRoleId: out.identity.assumedRoleId, Arn: out.identity.arn },
          Subject: claims.subject,
          SubjectType: claims.subjectType,
          Issuer: claims.issuer,
          Audience: claims.audience,
          NameQualifier: nameQualifier(claims.issuer, principalArn!),
          PackedPolicySize: req.policy !== undefined ? Math.max(1, Math.ceil((req.policy.length / 2048) * 100)) : undefined,
        };
      },
    },
    GetFederationToken: {
      signed: true,
      details: (params) => ({ name: params.get("Name") ?? undefined, durationSeconds: params.get("DurationSeconds") ?? undefined }),
      run(params, _request, caller) {
        const out = issueFederationToken(ctx, params, caller!, lifetimeSeconds);
        issued.push({
          action: "GetFederationToken",
          accessKeyId: out.known.accessKeyId,
          expiresAt: out.known.expiresAt!,
          roleArn: caller!.arn,
          roleSessionName: params.get("Name")!,
          assumedRoleArn: out.arn,
          issuedAt: ctx.now(),
        });
        const policy = params.get("Policy");
        return {
          Credentials: credentialsXml(out),
          FederatedUser: { FederatedUserId: out.federatedUserId, Arn: out.arn },
          PackedPolicySize: policy !== null ? Math.max(1, Math.ceil((policy.length / 2048) * 100)) : undefined,
        };
      },
    },
    GetCallerIdentity: {
      signed: true,
      details: () => ({}),
      run(_params, _request, caller) {
        return { UserId: callerUserId(caller!), Account: caller!.account, Arn: caller!.arn };
      },
    },
    GetSessionToken: {
      signed: true,
      details: (params) => ({ durationSeconds: params.get("DurationSeconds") ?? undefined, serialNumber: params.get("SerialNumber") ?? undefined }),
      run(params, _request, caller) {
        const out = issueSessionToken(ctx, params, caller!, lifetimeSeconds);
        issued.push({
          action: "GetSessionToken",
          accessKeyId: out.known.accessKeyId,
          expiresAt: out.known.expiresAt!,
          roleArn: caller!.arn,
          roleSessionName: "",
          assumedRoleArn: caller!.arn,
          issuedAt: ctx.now(),
        });
        return { Credentials: credentialsXml(out) };
      },
    },
    GetAccessKeyInfo: {
      signed: true,
      details: (params) => ({ accessKeyId: params.get("AccessKeyId") ?? undefined }),
      run: (params) => ({ Account: accessKeyAccount(ctx, params) }),
    },
  };

  const xmlReply = (status: number, body: string, requestId: string): Reply => ({
    status,
    headers: { "content-type": "text/xml", "x-amzn-requestid": requestId },
    body,
  });

  const service = await startFakeService(
    {
      parse(request): ParsedCall {
        const params = queryParams(request);
        const action = params.get("Action");
        if (action === null || action === "") throw new FakeAwsError(400, "MissingAction", "Missing Action");
        const spec = Object.hasOwn(actions, action) ? actions[action as (typeof STS_ACTIONS)[number]] : undefined;
        const details: Record<string, unknown> = spec ? spec.details(params) : {};
        if (request.servername !== undefined) details.sni = request.servername;
        const accessKeyId = spec?.signed ? claimedAccessKeyIdOf(request) : undefined;
        return {
          action,
          details,
          ...(accessKeyId !== undefined && { accessKeyId }),
          handle() {
            const version = params.get("Version") || "NO_VERSION_SPECIFIED";
            if (STS_NOT_IMPLEMENTED.has(action) && version === STS_API_VERSION) {
              throw new FakeAwsError(400, "UnsupportedOperation", `The fake STS does not implement ${action}.`);
            }
            if (spec === undefined || version !== STS_API_VERSION) {
              throw new FakeAwsError(400, "InvalidAction", `Could not find operation ${action} for version ${version}`);
            }
            const caller = spec.signed ? verifySigV4(request, ctx.store, { service: "sts", region: ctx.region }) : undefined;
            if (caller !== undefined) limiter.take(caller.account, ctx.now());
            const requestId = randomUUID();
            return xmlReply(200, renderResult(action, spec.run(params, request, caller), requestId), requestId);
          },
        };
      },
      renderError(error: FaultError): Reply {
        const requestId = randomUUID();
        return xmlReply(error.status, renderError(error.status, error.code, error.message ?? defaultMessage(error.code), requestId), requestId);
      },
      malformedReply(request): Reply {
        // A response cut off mid-way: what a broken proxy or a dropped connection leaves the SDK with.
        const action = queryParams(request).get("Action") ?? "Unknown";
        return {
          status: 200,
          headers: { "content-type": "text/xml" },
          body: `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <${action}Result>\n    <Credentials>\n      <AccessKeyId>ASIA`,
        };
      },
    },
    ctx.now,
    { front: ctx.front, name: "sts", ...(options.tls && { tls: options.tls }) },
  );
  if (options.latencyMs !== undefined) service.faults.setLatency(options.latencyMs);

  return extendHandle<FakeStsHandle>(service, {
    get issued() {
      return issued;
    },
    get credentialLifetimeSeconds() {
      return lifetimeSeconds;
    },
    setCredentialLifetime(seconds) {
      lifetimeSeconds = checkLifetime(seconds);
    },
    registerRole(settings) {
      roles.register(settings);
    },
    setRateLimit(limit) {
      limiter.set(limit);
    },
    get throttled() {
      return limiter.throttled;
    },
  });
}

/** Messages real STS sends with the errors tests inject most, so injected faults read like real ones. */
function defaultMessage(code: string): string {
  switch (code) {
    case "Throttling":
      return "Rate exceeded";
    case "InvalidIdentityToken":
      return "Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements";
    case "IDPCommunicationError":
      return "The request could not be fulfilled because the identity provider (IDP) that was asked to verify the incoming identity token could not be reached.";
    case "ExpiredTokenException":
      return "Token expired";
    case "ExpiredToken":
      return "The security token included in the request is expired";
    case "IDPRejectedClaim":
      return "The identity provider (IdP) reported that authentication failed.";
    case "ServiceUnavailable":
      return "Service Unavailable";
    default:
      return code;
  }
}
