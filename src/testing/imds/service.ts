/**
 * The fake EC2 instance metadata service, IMDSv2 only (as an instance with `HttpTokens=required`): a
 * session token from `PUT /latest/api/token` must accompany every `GET`. It serves the paths
 * `@smithy/credential-provider-imds` (behind `fromInstanceMetadata`) reads, plus a few that tools print.
 */
import { randomBytes } from "node:crypto";
import { extendHandle, FakeAwsError, startFakeService, type FakeRequest, type FakeServiceHandle, type ParsedCall, type Reply } from "../core/fake-service.js";
import type { FaultError } from "../core/faults.js";
import type { FakeContext } from "../core/context.js";
import { awsTimestamp } from "../sts/identity.js";
import { RotatingRoleCredentials, type ServedRoleCredentials } from "../sts/rotating-credentials.js";

export interface FakeImdsOptions {
  /** Name of the instance profile's role. Default `fake-instance-role`. */
  roleName?: string;
  /** Lifetime of the role credentials, in seconds. Default 3600 (IMDS rotates them well before expiry). */
  credentialLifetimeSeconds?: number;
  /** Latency added before every answer, in ms (same as `faults.setLatency`). */
  latencyMs?: number;
}

/** The fake IMDS as tests see it. Call log actions are `METHOD /path`, e.g. `PUT /latest/api/token`. */
export interface FakeImdsHandle extends FakeServiceHandle {
  /** The instance profile's role name, or `undefined` when the instance has none (credential paths 404). */
  readonly roleName: string | undefined;
  /** Attaches another role (or, with `undefined`, detaches it). Current credentials are dropped. */
  setRoleName(roleName: string | undefined): void;
  /** Changes the lifetime of credentials issued from now on, in seconds. */
  setCredentialLifetime(seconds: number): void;
  /** Makes the next credentials read return new credentials (IMDS rotating them). */
  rotateCredentials(): void;
  /** Access key ids handed out so far, oldest first. */
  readonly issuedAccessKeyIds: readonly string[];
  /** The instance id the fake reports (`/latest/meta-data/instance-id`). */
  readonly instanceId: string;
}

const TOKEN_PATH = "/latest/api/token";
const CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials/";
const TOKEN_TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_HEADER = "x-aws-ec2-metadata-token";

/**
 * A request path as IMDS reads it: runs of slashes are one (`//latest/api/token` from an endpoint that ends
 * in `/`), and a trailing slash on a leaf is ignored (botocore asks for `…/placement/availability-zone/`).
 * Only the credentials listing keeps its slash, so the role-name lookups below can tell it apart.
 */
export function metadataPath(raw: string): string {
  const path = raw.replace(/\/{2,}/g, "/");
  if (path === CREDENTIALS_PATH || path.length <= 1 || !path.endsWith("/")) return path;
  return path.slice(0, -1);
}

/** IMDS errors are small HTML pages, not AWS error documents. */
function htmlError(status: number, reason: string): Reply {
  const title = `${status} - ${reason}`;
  return {
    status,
    headers: { "content-type": "text/html" },
    body:
      `<?xml version="1.0" encoding="iso-8859-1"?>\n` +
      `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n\t"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n` +
      `<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n <head>\n  <title>${title}</title>\n </head>\n` +
      ` <body>\n  <h1>${title}</h1>\n </body>\n</html>\n`,
  };
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Request Entity Too Large",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};
const reason = (status: number): string => REASONS[status] ?? "Error";
const fail = (status: number): FakeAwsError => new FakeAwsError(status, reason(status), reason(status));
const text = (body: string): Reply => ({ status: 200, headers: { "content-type": "text/plain" }, body });

const header = (request: FakeRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Starts the fake IMDSv2 on 127.0.0.1 (ephemeral port). Point the SDK at it with
 * `AWS_EC2_METADATA_SERVICE_ENDPOINT=<endpoint>`.
 *
 * @example
 * ```ts
 * const imds = await startFakeImds(context, { roleName: "web" });
 * process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = imds.endpoint;
 * const credentials = await fromInstanceMetadata()();
 * await imds.close();
 * ```
 */
export async function startFakeImds(ctx: FakeContext, options: FakeImdsOptions = {}): Promise<FakeImdsHandle & { close(): Promise<void> }> {
  let roleName: string | undefined = options.roleName ?? "fake-instance-role";
  const instanceId = `i-${randomBytes(9).toString("hex").slice(0, 17)}`;
  const credentials = new RotatingRoleCredentials(ctx, "imds", options.credentialLifetimeSeconds ?? 3600);
  const tokens = new Map<string, number>();
  // The instance profile's role session is named after the instance, as on EC2.
  const credentialsFor = (role: string): ServedRoleCredentials =>
    credentials.current({ partition: "aws", account: ctx.accountId, roleName: role }, instanceId);

  function requireToken(request: FakeRequest): void {
    const token = header(request, TOKEN_HEADER);
    const expiresAt = token === undefined ? undefined : tokens.get(token);
    if (expiresAt === undefined || expiresAt <= ctx.now()) throw fail(401);
  }

  function issueToken(request: FakeRequest): Reply {
    // IMDS refuses token requests that went through a proxy, and TTLs outside 1..21600 seconds.
    if (header(request, "x-forwarded-for") !== undefined) throw fail(403);
    const ttl = Number(header(request, TOKEN_TTL_HEADER));
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) throw fail(400);
    const now = ctx.now();
    for (const [token, expiresAt] of tokens) if (expiresAt <= now) tokens.delete(token);
    const token = randomBytes(42).toString("base64");
    tokens.set(token, now + ttl * 1000);
    return { status: 200, headers: { "content-type": "text/plain", [TOKEN_TTL_HEADER]: String(ttl) }, body: token };
  }

  function get(path: string): Reply {
    if (path === CREDENTIALS_PATH || path === CREDENTIALS_PATH.slice(0, -1)) {
      if (roleName === undefined) throw fail(404);
      return text(roleName);
    }
    if (path.startsWith(CREDENTIALS_PATH)) {
      const role = path.slice(CREDENTIALS_PATH.length);
      if (roleName === undefined || role !== roleName) throw fail(404);
      const creds = credentialsFor(role);
      return {
        status: 200,
        headers: { "content-type": "text/plain" },
        body: JSON.stringify(
          {
            Code: "Success",
            LastUpdated: awsTimestamp(creds.issuedAt),
            Type: "AWS-HMAC",
            AccessKeyId: creds.known.accessKeyId,
            SecretAccessKey: creds.known.secretAccessKey,
            Token: creds.known.sessionToken,
            Expiration: creds.expiration,
          },
          null,
          2,
        ),
      };
    }
    if (path === "/latest/meta-data/iam/info") {
      if (roleName === undefined) throw fail(404);
      return {
        status: 200,
        headers: { "content-type": "text/plain" },
        body: JSON.stringify(
          {
            Code: "Success",
            LastUpdated: awsTimestamp(ctx.now()),
            InstanceProfileArn: `arn:aws:iam::${ctx.accountId}:instance-profile/${roleName}`,
            InstanceProfileId: `AIPA${instanceId.slice(2, 19).toUpperCase()}`,
          },
          null,
          2,
        ),
      };
    }
    if (path === "/latest/meta-data/instance-id") return text(instanceId);
    if (path === "/latest/meta-data/placement/region") return text(ctx.region);
    if (path === "/latest/meta-data/placement/availability-zone") return text(`${ctx.region}a`);
    throw fail(404);
  }

  const service = await startFakeService(
    {
      parse(request): ParsedCall {
        const path = metadataPath(request.url.pathname);
        const action = `${request.method} ${path}`;
        return {
          action,
          details: path.startsWith(CREDENTIALS_PATH) && path !== CREDENTIALS_PATH ? { roleName: path.slice(CREDENTIALS_PATH.length) } : {},
          handle() {
            if (path === TOKEN_PATH) {
              if (request.method !== "PUT") throw fail(405);
              return issueToken(request);
            }
            if (request.method !== "GET") throw fail(405);
            requireToken(request);
            return get(path);
          },
        };
      },
      renderError: (error: FaultError): Reply => htmlError(error.status, reason(error.status)),
      malformedReply: (): Reply => text("{ \"Code\": \"Success\", \"AccessKeyId\": "),
    },
    ctx.now,
    { front: ctx.front, name: "imds" },
  );
  if (options.latencyMs !== undefined) service.faults.setLatency(options.latencyMs);

  return extendHandle<FakeImdsHandle>(service, {
    get roleName() {
      return roleName;
    },
    setRoleName(name) {
      roleName = name;
      credentials.rotate();
    },
    setCredentialLifetime: (seconds) => credentials.setLifetime(seconds),
    rotateCredentials: () => credentials.rotate(),
    get issuedAccessKeyIds() {
      return credentials.issuedAccessKeyIds;
    },
    instanceId,
  });
}
