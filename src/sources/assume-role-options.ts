/**
 * The options and public types of `fromRegionalAssumeRole`.
 */
import type { StsBudget } from "../shared/sts-budget.js";
import type { STSClientConfig } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { TelemetryOption } from "../telemetry/options.js";
import type { Logger } from "../shared/logger.js";
import type { StsEndpointStatus, StsFailoverStatus } from "../sts/failover.js";
import type { StsEndpointOption, StsFailoverOptions } from "../sts/failover-options.js";
import type { RetryPolicy } from "../sts/retry.js";
import type { EnvOption } from "../shared/env.js";

/** What is assumed: the role and the session's parameters (each checked against STS's limits). */
export interface AssumeRoleSpec {
  /** The role to assume, e.g. `arn:aws:iam::210987654321:role/saas-access`. */
  roleArn: string;
  /** The ExternalId the role's owner requires in its trust policy (2–1224 characters). */
  externalId?: string;
  /** The session name CloudTrail shows for every call made with these credentials (2–64 of `[\w+=,.@-]`). */
  roleSessionName?: string;
  /**
   * Session length, 900 to 43200 seconds, at most the role's maximum session duration. Default: STS's (3600).
   * When the source credentials are themselves a role session (role chaining), more than 3600 is clamped to 3600.
   */
  durationSeconds?: number;
  /** Inline session policy (JSON, at most 2048 characters) that further restricts the role's permissions. */
  policy?: string;
  /** Managed session policies that further restrict the role's permissions (at most 10). */
  policyArns?: { arn: string }[];
  /** Session tags (at most 50; keys 1–128, values 0–256 characters; keys case-insensitively unique). */
  tags?: Readonly<Record<string, string>>;
  /** Keys of `tags` that pass on to further role chaining (at most 50). */
  transitiveTagKeys?: string[];
  /** Source identity recorded in CloudTrail and carried through role chaining (2–64 of `[\w+=,.@-]`). */
  sourceIdentity?: string;
}

/** How STS is reached: shared by `fromRegionalAssumeRole` and `createAssumeRoleCache`. */
export interface AssumeRoleTransportOptions extends EnvOption, StsFailoverOptions {
  /** Region whose STS endpoint is called. Default: `AWS_REGION`, then `AWS_DEFAULT_REGION`; none is an error. */
  region?: string;
  /** Use the FIPS endpoint (`sts-fips.<region>…`). Default: `AWS_USE_FIPS_ENDPOINT=true`, else false. */
  useFipsEndpoint?: boolean;
  /**
   * A custom STS endpoint (VPC endpoint URL, LocalStack, a test fake): a URL (the primary region's; failover
   * regions keep their regional endpoints), or a function of the region returning a URL, or `undefined` for
   * the regional endpoint. `AWS_ENDPOINT_URL_STS` is not read.
   */
  endpoint?: StsEndpointOption;
  /** Allow a plain `http://` endpoint on a non-loopback host (trusted test networks only). Default false. */
  allowInsecureEndpoint?: boolean;
  /** TCP/TLS connection timeout. Default 1000 ms. */
  connectionTimeoutMs?: number;
  /** Bound on one STS request. Default 5000 ms. */
  requestTimeoutMs?: number;
  /** Attempts and backoff of one fetch. Default: 3 attempts, 100 ms base, 2 s ceiling. */
  retry?: Partial<RetryPolicy>;
  /** Extra STS client configuration, e.g. `requestHandler: { httpsAgent }`. Region, endpoint and credentials are not overridable. */
  clientConfig?: Partial<STSClientConfig>;
  /** SDK-compatible logger (`console` works). Default: silent. */
  logger?: Logger;
  /**
   * OpenTelemetry reporting (STS CLIENT spans, `awscreds.sts.requests`, `awscreds.sts.failovers`): to the
   * global providers when `@opentelemetry/api` is installed (default), to `{ meterProvider, tracerProvider }`
   * when given, nowhere with `false` (the API is then never loaded).
   */
  telemetry?: TelemetryOption;
}

export interface RegionalAssumeRoleOptions extends AssumeRoleSpec, AssumeRoleTransportOptions {
  /**
   * The credentials that sign AssumeRole: any provider, typically the env-gated chain behind a refresher
   * (`createRefresher(fromEnvGatedChain())`). It is called once per fetch.
   */
  source: AwsCredentialIdentityProvider;
  /**
   * A budget shared by every replica (`createRedisStsBudget` from `awscreds/redis`): each fetch waits for
   * one of its tokens, and a Throttling answer slows the whole fleet (the fetch fails then; a refresher
   * backs off). Default: none, the transport's own retries.
   */
  stsBudget?: StsBudget;
}

/** What an assume-role provider is set up with. No secrets (the ExternalId is shown: AWS describes it as an identifier, against the confused deputy). */
export interface AssumeRoleDescription {
  roleArn: string;
  /** The account the role, and so the credentials, belong to. */
  accountId: string;
  roleSessionName: string;
  externalId?: string;
  /** As asked for; see `roleChaining` for what is sent. */
  durationSeconds?: number;
  /** Known after the first fetch: whether the source credentials were a role session (then at most 3600 s is sent). */
  roleChaining?: boolean;
  /** Only the length of a session policy is shown. */
  policyLength?: number;
  policyArns?: string[];
  tags?: Record<string, string>;
  transitiveTagKeys?: string[];
  sourceIdentity?: string;
  region: string;
  /**
   * The STS endpoint in use: the primary's (custom, or the regional one once resolved on the first fetch),
   * or the failover endpoint that answered last.
   */
  endpoint?: string;
  useFipsEndpoint: boolean;
  /** Failover regions, in order (empty: no failover). */
  failoverRegions: string[];
  /** Whether a failover region is serving the calls now. */
  failedOver: boolean;
  /** Each regional endpoint (primary first) and the state of its circuit breaker. */
  endpoints: StsEndpointStatus[];
}

/** A credentials provider with introspection and cleanup. */
export type RegionalAssumeRoleProvider = AwsCredentialIdentityProvider & {
  /** The configuration and endpoint, without secrets. */
  describe(): AssumeRoleDescription;
  /** The STS endpoint in use and each endpoint's circuit breaker (a refresher's `status().sts` shows it too). */
  stsStatus(): StsFailoverStatus;
  /** Closes the STS client's sockets; a later fetch builds a new client. */
  destroy(): void;
  /** Same as `destroy()`. */
  [Symbol.dispose](): void;
};
