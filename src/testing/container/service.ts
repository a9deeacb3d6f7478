/**
 * The fake container credentials endpoint: what the ECS agent (task roles) and the EKS Pod Identity agent
 * serve at `AWS_CONTAINER_CREDENTIALS_FULL_URI`, checking the `Authorization` header the SDK sends from
 * `AWS_CONTAINER_AUTHORIZATION_TOKEN` (or `..._TOKEN_FILE`).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { extendHandle, FakeAwsError, startFakeService, type FakeRequest, type FakeServiceHandle, type ParsedCall, type Reply } from "../core/fake-service.js";
import type { FaultError } from "../core/faults.js";
import type { FakeContext } from "../core/context.js";
import { RotatingRoleCredentials } from "../sts/rotating-credentials.js";

export interface FakeContainerOptions {
  /** The token the endpoint expects in `Authorization`. Default: a random one (see the handle). */
  authorizationToken?: string;
  /** Lifetime of the role credentials, in seconds. Default 3600 (rotated well before expiry). */
  credentialLifetimeSeconds?: number;
  /** Latency added before every answer, in ms (same as `faults.setLatency`). */
  latencyMs?: number;
  /** Name of the task / pod role. Default `fake-task-role`. */
  roleName?: string;
}

/** The fake container endpoint as tests see it. Call log actions are `GET /v2/credentials/<id>`. */
export interface FakeContainerHandle extends FakeServiceHandle {
  /** Full credentials URI, for `AWS_CONTAINER_CREDENTIALS_FULL_URI`. */
  readonly credentialsUrl: string;
  /** The expected `Authorization` value, for `AWS_CONTAINER_AUTHORIZATION_TOKEN`. */
  readonly authorizationToken: string;
  /** Changes the expected token (as when the kubelet rotates the pod identity token). */
  setAuthorizationToken(token: string): void;
  /** ARN of the role whose credentials are served. */
  readonly roleArn: string;
  /** Changes the lifetime of credentials issued from now on, in seconds. */
  setCredentialLifetime(seconds: number): void;
  /** Makes the next read return new credentials. */
  rotateCredentials(): void;
  /** Access key ids handed out so far, oldest first. */
  readonly issuedAccessKeyIds: readonly string[];
}

const json = (status: number, value: unknown): Reply => ({ status, headers: { "content-type": "application/json" }, body: JSON.stringify(value) });

/**
 * Starts the fake container credentials endpoint on 127.0.0.1 (ephemeral port).
 *
 * @example
 * ```ts
 * const container = await startFakeContainer(context);
 * const credentials = await fromHttp({
 *   awsContainerCredentialsFullUri: container.credentialsUrl,
 *   awsContainerAuthorizationToken: container.authorizationToken,
 * })();
 * await container.close();
 * ```
 */
export async function startFakeContainer(ctx: FakeContext, options: FakeContainerOptions = {}): Promise<FakeContainerHandle & { close(): Promise<void> }> {
  let authorizationToken = options.authorizationToken ?? randomBytes(24).toString("base64url");
  const roleName = options.roleName ?? "fake-task-role";
  const role = { partition: "aws", account: ctx.accountId, roleName };
  // ECS names the task role session after the task; the credentials id stands in for it.
  const credentialsId = randomUUID();
  const sessionName = credentialsId.replace(/-/g, "");
  const credentialsPath = `/v2/credentials/${credentialsId}`;
  const credentials = new RotatingRoleCredentials(ctx, "container", options.credentialLifetimeSeconds ?? 3600);

  function checkAuthorization(request: FakeRequest): void {
    const given = request.headers.authorization;
    if (given === undefined || given === "") throw new FakeAwsError(401, "Unauthorized", "Authorization header is missing");
    // Never quote the token back: it is a credential.
    if (given !== authorizationToken) throw new FakeAwsError(403, "AccessDenied", "Authorization token is not valid for this endpoint");
  }

  const service = await startFakeService(
    {
      parse(request): ParsedCall {
        const path = request.url.pathname;
        return {
          action: `${request.method} ${path}`,
          handle() {
            if (path === credentialsPath) {
              if (request.method !== "GET") throw new FakeAwsError(405, "MethodNotAllowed", `Method ${request.method} is not allowed`);
              checkAuthorization(request);
              const served = credentials.current(role, sessionName);
              return json(200, {
                RoleArn: `arn:aws:iam::${ctx.accountId}:role/${roleName}`,
                AccessKeyId: served.known.accessKeyId,
                SecretAccessKey: served.known.secretAccessKey,
                Token: served.known.sessionToken,
                AccountId: served.known.account,
                Expiration: served.expiration,
              });
            }
            if (path.startsWith("/v2/credentials/")) throw new FakeAwsError(400, "InvalidIdInRequest", "CredentialsV2Request: Credentials not found");
            throw new FakeAwsError(404, "NotFound", `No route for ${path}`);
          },
        };
      },
      renderError: (error: FaultError): Reply => json(error.status, { Code: error.code, Message: error.message ?? error.code }),
      // A body cut off mid-way: the SDK's JSON.parse fails on it.
      malformedReply: (): Reply => ({ status: 200, headers: { "content-type": "application/json" }, body: '{"AccessKeyId": "ASIA' }),
    },
    ctx.now,
    { front: ctx.front, name: "container" },
  );
  if (options.latencyMs !== undefined) service.faults.setLatency(options.latencyMs);

  return extendHandle<FakeContainerHandle>(service, {
    credentialsUrl: `${service.endpoint}${credentialsPath}`,
    get authorizationToken() {
      return authorizationToken;
    },
    setAuthorizationToken(token) {
      authorizationToken = token;
    },
    roleArn: `arn:aws:iam::${ctx.accountId}:role/${roleName}`,
    setCredentialLifetime: (seconds) => credentials.setLifetime(seconds),
    rotateCredentials: () => credentials.rotate(),
    get issuedAccessKeyIds() {
      return credentials.issuedAccessKeyIds;
    },
  });
}
