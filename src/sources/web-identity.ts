/**
 * `fromRegionalWebIdentity`: AssumeRoleWithWebIdentity against the regional STS endpoint of the
 * workload's own region, with the token file re-read on every fetch.
 */
import type { AwsCredentialIdentity } from "@smithy/types";
import { silentLogger } from "../shared/logger.js";
import { toSafeCredentials } from "../shared/safe-credentials.js";
import { describeStsFailure } from "../sts/failure.js";
import { resolveFailover, type ResolvedFailover } from "../sts/failover-config.js";
import { createStsTransport, StsCallFailure, type StsTransport } from "../sts/transport.js";
import { markSourceKind } from "../telemetry/source-kind.js";
import { credentialsError, messageOf } from "../shared/errors.js";
import { readVar, resolveEnv } from "../shared/env.js";
import { sessionNameInputs } from "./session-name-inputs.js";
import { readWebIdentityToken } from "./token-file.js";
import { webIdentityAdvice } from "./web-identity-advice.js";
import { resolveWebIdentityConfig, type WebIdentityConfig } from "./web-identity-config.js";
import type { RegionalWebIdentityOptions, RegionalWebIdentityProvider, WebIdentityDescription } from "./web-identity-options.js";

export type { RegionalWebIdentityOptions, RegionalWebIdentityProvider, WebIdentityDescription } from "./web-identity-options.js";

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
 * With `failoverRegions` (or `AWSCREDS_STS_FAILOVER_REGIONS`), a retryable failure of the region's STS
 * (5xx, throttling, network, timeout) moves the call to the next region's, behind a circuit breaker per
 * endpoint, and calls return to the primary once it answers again; the list must stay in the primary's
 * partition (checked here, at construction: a wrong list throws a `TypeError` that says why).
 *
 * With `@opentelemetry/api` installed, each STS request is a CLIENT span (a child of the refresher's
 * `awscreds refresh` span) counted in `awscreds.sts.requests`, and each failover in `awscreds.sts.failovers`.
 *
 * Configuration is read when the provider is created (create a new one to re-read it). Not configured at
 * all: the error has `tryNextLink: true`; configured but failing: `tryNextLink: false`.
 *
 * @example
 * ```ts
 * import { SQSClient } from "@aws-sdk/client-sqs";
 * import { createRefresher, fromRegionalWebIdentity } from "awscreds";
 *
 * // On EKS with IRSA: AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE and AWS_REGION are set by the platform.
 * const sqs = new SQSClient({ credentials: fromRegionalWebIdentity() });
 *
 * // With regional failover, behind a refresher; status().sts shows the endpoint in use and each breaker.
 * const credentials = createRefresher(fromRegionalWebIdentity({ failoverRegions: ["eu-central-1"] }));
 * ```
 */
export function fromRegionalWebIdentity(options: RegionalWebIdentityOptions = {}): RegionalWebIdentityProvider {
  checkOptions(options);
  const logger = options.logger ?? silentLogger;
  const env = resolveEnv(options.env);
  const resolved = resolveWebIdentityConfig(options, env, sessionNameInputs());
  const ignoredEndpointVar = options.endpoint === undefined && readVar(env, "AWS_ENDPOINT_URL_STS") !== undefined;
  // Checked now, so a wrong list fails at startup, not in the outage it is meant for.
  const failover: ResolvedFailover | undefined = resolved.ok ? resolveFailover(options, env, resolved.config.region, "awscreds: Web identity") : undefined;
  let transport: StsTransport | undefined;

  function stsFor(config: WebIdentityConfig): StsTransport {
    transport ??= createStsTransport({
      region: config.region,
      useFipsEndpoint: config.useFipsEndpoint,
      customEndpoint: config.customEndpoint,
      connectionTimeoutMs: options.connectionTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs,
      retry: options.retry,
      clientConfig: options.clientConfig,
      logger,
      label: "Web identity",
      ignoredEndpointVar,
      failover,
      telemetry: options.telemetry,
    });
    return transport;
  }

  async function readToken(config: WebIdentityConfig): Promise<string> {
    try {
      return await readWebIdentityToken(config.tokenFile);
    } catch (error) {
      throw credentialsError(`Web identity (${config.roleArn.arn}): ${messageOf(error)}`, { tryNextLink: false, logger, cause: error });
    }
  }

  async function fetch(config: WebIdentityConfig): Promise<AwsCredentialIdentity> {
    const sts = stsFor(config);
    let token: string | undefined;
    let output;
    try {
      output = await sts.call("AssumeRoleWithWebIdentity", async () => {
        // Read per attempt: a retry after InvalidIdentityToken should see a token the kubelet just rotated.
        token = await readToken(config);
        return {
          input: {
            RoleArn: config.roleArn.arn,
            RoleSessionName: config.sessionName,
            WebIdentityToken: token,
            DurationSeconds: options.durationSeconds,
            Policy: options.policy,
            PolicyArns: options.policyArns?.map(({ arn }) => ({ arn })),
          },
        };
      });
    } catch (failure) {
      if (!(failure instanceof StsCallFailure)) throw failure;
      const context = { operation: failure.operation, roleArn: config.roleArn.arn, endpoint: failure.endpoint, region: config.region, attempts: failure.attempts };
      const advice = webIdentityAdvice({ roleArn: config.roleArn.arn, tokenFile: config.tokenFile });
      throw credentialsError(describeStsFailure(failure.error, failure.kind, context, advice, { value: token, label: "[token]" }), {
        tryNextLink: false,
        logger,
        cause: failure.error,
        secrets: [token],
      });
    }
    const endpoint = sts.endpoint();
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
    const sts = stsFor(c).status();
    if (sts.endpointInUse !== undefined) description.endpoint = sts.endpointInUse;
    description.failoverRegions = failover?.regions ?? [];
    if (failover?.from !== undefined) description.from!.failoverRegions = failover.from;
    description.failedOver = sts.failedOver;
    description.endpoints = sts.endpoints;
    return description;
  };
  provider.stsStatus = () => (resolved.ok ? stsFor(resolved.config).status() : undefined);
  provider.destroy = (): void => {
    transport?.destroy();
  };
  provider[Symbol.dispose] = provider.destroy;
  return markSourceKind(provider, "web-identity");
}
