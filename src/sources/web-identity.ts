/**
 * `fromRegionalWebIdentity`: AssumeRoleWithWebIdentity against the regional STS endpoint of the
 * workload's own region, with the token file re-read on every fetch.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { STSClientConfig } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { silentLogger, type Logger } from "../shared/logger.js";
import { toSafeCredentials } from "../shared/safe-credentials.js";
import { credentialsError, messageOf } from "./errors.js";
import { readVar, resolveEnv, type EnvOption } from "./env.js";
import { loadSdkPartitions } from "./partitions.js";
import { regionalStsEndpoint } from "./sts-endpoint.js";
import {
  createStsClient,
  DEFAULT_STS_CONNECTION_TIMEOUT_MS,
  DEFAULT_STS_REQUEST_TIMEOUT_MS,
  type LoadedSts,
} from "./sts-client.js";
import { describeStsFailure } from "./sts-errors.js";
import { backoffDelayMs, classifyStsFailure, DEFAULT_RETRY_POLICY, shouldRetry, type RetryPolicy } from "./sts-retry.js";
import { readWebIdentityToken } from "./token-file.js";
import { resolveWebIdentityConfig, type WebIdentityConfig } from "./web-identity-config.js";

export interface RegionalWebIdentityOptions extends EnvOption {
  /** Role to assume. Default: `AWS_ROLE_ARN`. */
  roleArn?: string;
  /** File holding the OIDC token (re-read on every fetch). Default: `AWS_WEB_IDENTITY_TOKEN_FILE`. */
  webIdentityTokenFile?: string;
  /** Default: `AWS_ROLE_SESSION_NAME`, else the host (pod) name plus a short random suffix. */
  roleSessionName?: string;
  /** Region whose STS endpoint is called. Default: `AWS_REGION`, then `AWS_DEFAULT_REGION`; none is an error. */
  region?: string;
  /** Use the FIPS endpoint (`sts-fips.<region>…`). Default: `AWS_USE_FIPS_ENDPOINT=true`, else false. */
  useFipsEndpoint?: boolean;
  /**
   * A custom STS endpoint (VPC endpoint URL, LocalStack, a test fake) used instead of the regional one.
   * `AWS_ENDPOINT_URL_STS` is deliberately not read: a stray variable must not send the pod's token elsewhere.
   */
  endpoint?: string;
  /** Allow a plain `http://` endpoint on a non-loopback host (trusted test networks only). Default false. */
  allowInsecureEndpoint?: boolean;
  /** Session duration, 900 to 43200 seconds (at most the role's maximum). Default: STS's (3600). */
  durationSeconds?: number;
  /** Inline session policy (JSON) that further restricts the role's permissions. */
  policy?: string;
  /** Managed session policies that further restrict the role's permissions (at most 10). */
  policyArns?: { arn: string }[];
  /** TCP/TLS connection timeout. Default 1000 ms. */
  connectionTimeoutMs?: number;
  /** Bound on one STS request. Default 5000 ms. */
  requestTimeoutMs?: number;
  /** Attempts and backoff. Default: 3 attempts, 100 ms base, 2 s ceiling. */
  retry?: Partial<RetryPolicy>;
  /** Extra STS client configuration, e.g. `requestHandler: { httpsAgent }`. Region and endpoint are not overridable. */
  clientConfig?: Partial<STSClientConfig>;
  /** SDK-compatible logger (`console` works). Default: silent. */
  logger?: Logger;
}

/** What a web identity provider is set up with (no secrets: never the token). */
export interface WebIdentityDescription {
  configured: boolean;
  /** Why it cannot fetch, when it cannot. */
  problem?: string;
  roleArn?: string;
  webIdentityTokenFile?: string;
  roleSessionName?: string;
  region?: string;
  /** The STS endpoint: custom, or the regional one once resolved (on the first fetch). */
  endpoint?: string;
  useFipsEndpoint?: boolean;
  /** Where each setting came from (`AWS_ROLE_ARN`, `the region option`…). */
  from?: Record<string, string>;
}

/** A credentials provider with introspection and cleanup. */
export type RegionalWebIdentityProvider = AwsCredentialIdentityProvider & {
  /** The configuration and chosen endpoint, without secrets. */
  describe(): WebIdentityDescription;
  /** Closes the STS client's sockets; a later fetch builds a new client. */
  destroy(): void;
  /** Same as `destroy()`: `using`, and `createSwapper` disposing a provider it swapped out, close the sockets. */
  [Symbol.dispose](): void;
};

function checkOptions(options: RegionalWebIdentityOptions): void {
  const d = options.durationSeconds;
  if (d !== undefined && (!Number.isInteger(d) || d < 900 || d > 43_200)) {
    throw new RangeError(`durationSeconds must be an integer from 900 to 43200, got ${d}`);
  }
  if (options.policyArns !== undefined && options.policyArns.length > 10) {
    throw new RangeError(`policyArns takes at most 10 policies, got ${options.policyArns.length}`);
  }
  for (const [name, value] of [["connectionTimeoutMs", options.connectionTimeoutMs], ["requestTimeoutMs", options.requestTimeoutMs]] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a positive number of ms, got ${value}`);
  }
  const r = options.retry;
  if (r?.maxAttempts !== undefined && !(Number.isInteger(r.maxAttempts) && r.maxAttempts >= 1)) {
    throw new RangeError(`retry.maxAttempts must be an integer of at least 1, got ${r.maxAttempts}`);
  }
}

/**
 * Credentials from AssumeRoleWithWebIdentity (EKS IRSA and any OIDC workload identity), always against
 * `https://sts.<region>.<partition DNS suffix>`: also in us-east-1, also with `AWS_STS_REGIONAL_ENDPOINTS=legacy`,
 * and whatever the region of the client that asks. The token file is read asynchronously on every fetch;
 * one STS client (keep-alive, short timeouts) is built on first use and reused. IDPCommunicationError,
 * throttling, 5xx and network failures are retried with backoff, InvalidIdentityToken once.
 *
 * Configuration is read when the provider is created (create a new one to re-read it). Not configured at
 * all: the error has `tryNextLink: true`; configured but failing: `tryNextLink: false`.
 *
 * @example
 * ```ts
 * import { SQSClient } from "@aws-sdk/client-sqs";
 * import { fromRegionalWebIdentity } from "awscreds";
 *
 * // On EKS with IRSA: AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE and AWS_REGION are set by the platform.
 * const sqs = new SQSClient({ credentials: fromRegionalWebIdentity() });
 * ```
 */
export function fromRegionalWebIdentity(options: RegionalWebIdentityOptions = {}): RegionalWebIdentityProvider {
  checkOptions(options);
  const logger = options.logger ?? silentLogger;
  const env = resolveEnv(options.env);
  const resolved = resolveWebIdentityConfig(options, env, {
    hostname: safeHostname(),
    random: randomBytes(4).readUInt32BE(0).toString(36).padStart(6, "0").slice(-6),
  });
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const ignoredEndpointVar = options.endpoint === undefined && readVar(env, "AWS_ENDPOINT_URL_STS") !== undefined;

  let endpoint = resolved.ok ? resolved.config.customEndpoint : undefined;
  let sts: Promise<LoadedSts> | undefined;

  async function loadSts(config: WebIdentityConfig): Promise<LoadedSts> {
    if (endpoint === undefined) {
      const regional = regionalStsEndpoint(config.region, { useFipsEndpoint: config.useFipsEndpoint, partitionOf: await loadSdkPartitions() });
      if (!regional.ok) throw credentialsError(`Web identity: ${regional.problem}.`, { tryNextLink: false, logger });
      endpoint = regional.endpoint;
    }
    if (ignoredEndpointVar) {
      logger.warn(`awscreds: AWS_ENDPOINT_URL_STS is set but ignored by the web identity provider; calling ${endpoint}. Pass the endpoint option to use a custom endpoint.`);
    }
    return createStsClient({
      region: config.region,
      endpoint,
      connectionTimeoutMs: options.connectionTimeoutMs ?? DEFAULT_STS_CONNECTION_TIMEOUT_MS,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_STS_REQUEST_TIMEOUT_MS,
      logger,
      clientConfig: options.clientConfig,
    });
  }

  async function getSts(config: WebIdentityConfig): Promise<LoadedSts> {
    sts ??= loadSts(config);
    try {
      return await sts;
    } catch (error) {
      sts = undefined; // A failed build (e.g. a bad partition) is not cached.
      throw error;
    }
  }

  async function readToken(config: WebIdentityConfig): Promise<string> {
    try {
      return await readWebIdentityToken(config.tokenFile);
    } catch (error) {
      throw credentialsError(`Web identity (${config.roleArn.arn}): ${messageOf(error)}`, { tryNextLink: false, logger, cause: error });
    }
  }

  async function fetch(config: WebIdentityConfig): Promise<AwsCredentialIdentity> {
    const { client, AssumeRoleWithWebIdentityCommand } = await getSts(config);
    let invalidTokenRetries = 0;
    for (let attempt = 1; ; attempt++) {
      // Read per attempt: a retry after InvalidIdentityToken should see a token the kubelet just rotated.
      const token = await readToken(config);
      try {
        const output = await client.send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: config.roleArn.arn,
            RoleSessionName: config.sessionName,
            WebIdentityToken: token,
            DurationSeconds: options.durationSeconds,
            Policy: options.policy,
            PolicyArns: options.policyArns?.map(({ arn }) => ({ arn })),
          }),
        );
        const c = output.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
          throw credentialsError(`Web identity: STS at ${endpoint} answered AssumeRoleWithWebIdentity without credentials.`, { tryNextLink: false, logger });
        }
        const credentials: AwsCredentialIdentity = {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.SessionToken,
          accountId: config.roleArn.accountId,
          ...(c.Expiration && { expiration: c.Expiration }),
        };
        logger.debug(`awscreds: assumed ${config.roleArn.arn} as session ${config.sessionName} via ${endpoint}${c.Expiration ? `, expires ${c.Expiration.toISOString()}` : ""}`);
        return toSafeCredentials(credentials);
      } catch (error) {
        if (error instanceof Error && error.name === "CredentialsProviderError") throw error;
        const kind = classifyStsFailure(error);
        if (!shouldRetry(kind, attempt, invalidTokenRetries, policy)) {
          const context = { roleArn: config.roleArn.arn, endpoint: endpoint ?? "", region: config.region, tokenFile: config.tokenFile, attempts: attempt };
          throw credentialsError(describeStsFailure(error, kind, context, token), { tryNextLink: false, logger, cause: error, secrets: [token] });
        }
        if (kind === "invalid-token") invalidTokenRetries += 1;
        const delay = backoffDelayMs(attempt, kind, policy, Math.random());
        logger.warn(`awscreds: AssumeRoleWithWebIdentity attempt ${attempt} failed (${kind}); retrying in ${delay} ms`);
        await sleep(delay);
      }
    }
  }

  const provider = (async () => {
    if (!resolved.ok) {
      throw credentialsError(`Web identity: ${resolved.problem}.`, { tryNextLink: !resolved.configured, logger });
    }
    return fetch(resolved.config);
  }) as RegionalWebIdentityProvider;

  provider.describe = (): WebIdentityDescription => {
    if (!resolved.ok) return { configured: resolved.configured, problem: resolved.problem };
    const c = resolved.config;
    const description: WebIdentityDescription = {
      configured: true,
      roleArn: c.roleArn.arn,
      webIdentityTokenFile: c.tokenFile,
      roleSessionName: c.sessionName,
      region: c.region,
      useFipsEndpoint: c.useFipsEndpoint,
      from: { roleArn: c.roleArnFrom, webIdentityTokenFile: c.tokenFileFrom, roleSessionName: c.sessionNameFrom, region: c.regionFrom },
    };
    if (endpoint !== undefined) description.endpoint = endpoint;
    return description;
  };
  provider.destroy = (): void => {
    const current = sts;
    sts = undefined;
    void current?.then(({ client }) => client.destroy()).catch(() => undefined);
  };
  provider[Symbol.dispose] = provider.destroy;
  return provider;
}

function safeHostname(): string | undefined {
  try {
    return hostname();
  } catch {
    return undefined;
  }
}
