/**
 * The options and public types of `fromRegionalWebIdentity`, in their own module so that the provider
 * and its configuration resolver both import them (and not each other).
 */
import type { STSClientConfig } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { Logger } from "../shared/logger.js";
import type { StsEndpointStatus, StsFailoverStatus } from "../sts/failover.js";
import type { StsEndpointOption, StsFailoverOptions } from "../sts/failover-options.js";
import type { RetryPolicy } from "../sts/retry.js";
import type { TelemetryOption } from "../telemetry/options.js";
import type { EnvOption } from "../shared/env.js";

export interface RegionalWebIdentityOptions extends EnvOption, StsFailoverOptions {
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
   * A custom STS endpoint (VPC endpoint URL, LocalStack, a test fake) used instead of the regional one: a
   * URL (the primary region's; failover regions keep their regional endpoints), or a function of the region
   * that returns a URL, or `undefined` for the regional endpoint.
   * `AWS_ENDPOINT_URL_STS` is deliberately not read: a stray variable must not send the pod's token elsewhere.
   */
  endpoint?: StsEndpointOption;
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
  /**
   * OpenTelemetry reporting (STS CLIENT spans, `awscreds.sts.requests`, `awscreds.sts.failovers`): to the
   * global providers when `@opentelemetry/api` is installed (default), to `{ meterProvider, tracerProvider }`
   * when given, nowhere with `false` (the API is then never loaded).
   */
  telemetry?: TelemetryOption;
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
  /**
   * The STS endpoint in use: the primary's (custom, or the regional one once resolved on the first fetch),
   * or the failover endpoint that answered last.
   */
  endpoint?: string;
  /** Failover regions, in order (empty: no failover). */
  failoverRegions?: string[];
  /** Whether a failover region is serving the calls now. */
  failedOver?: boolean;
  /** Each regional endpoint (primary first) and the state of its circuit breaker. */
  endpoints?: StsEndpointStatus[];
  useFipsEndpoint?: boolean;
  /** Where each setting came from (`AWS_ROLE_ARN`, `the region option`…). */
  from?: Record<string, string>;
}

/** A credentials provider with introspection and cleanup. */
export type RegionalWebIdentityProvider = AwsCredentialIdentityProvider & {
  /** The configuration and chosen endpoint, without secrets. */
  describe(): WebIdentityDescription;
  /** The STS endpoint in use and each endpoint's circuit breaker (undefined when not configured). */
  stsStatus(): StsFailoverStatus | undefined;
  /** Closes the STS client's sockets; a later fetch builds a new client. */
  destroy(): void;
  /** Same as `destroy()`: `using`, and `createSwapper` disposing a provider it swapped out, close the sockets. */
  [Symbol.dispose](): void;
};
