/**
 * awscreds: AWS credential providers for long-running Node.js services.
 *
 * @packageDocumentation
 * @module awscreds
 */
// Where credentials come from.
export { fromEnvGatedChain, fromRegionalWebIdentity, formatDescription, DEFAULT_DEPLOYED_ENVS } from "./sources/index.js";
export { fromRegionalAssumeRole, STS_ASSUME_ROLE_LIMITS } from "./sources/index.js";
export type {
  EnvGatedChainOptions,
  EnvGatedChainProvider,
  RegionalWebIdentityOptions,
  RegionalWebIdentityProvider,
  WebIdentityDescription,
  ChainDescription,
  SourceName,
  SourceReport,
  SourceState,
  AppMode,
  EnvVars,
  ContainerSourceOptions,
  InstanceMetadataSourceOptions,
  RetryPolicy,
  AssumeRoleDescription,
  AssumeRoleSpec,
  AssumeRoleTransportOptions,
  RegionalAssumeRoleOptions,
  RegionalAssumeRoleProvider,
} from "./sources/index.js";

// Many roles at once (one per tenant).
export { createAssumeRoleCache, DEFAULT_ROLE_CACHE_OPTIONS, STS_REQUESTS_PER_SECOND_QUOTA } from "./roles/index.js";
export type {
  AssumeRoleCache,
  AssumeRoleCacheDescription,
  AssumeRoleCacheOptions,
  AssumeRoleCacheStatus,
  CachedRoleProvider,
  CachedRoleSpec,
  RateBudgetStatus,
  SharedBudgetStatus,
  StsBudget,
  RoleCacheCounters,
  RoleEntryState,
  RoleEntryStatus,
} from "./roles/index.js";

// Regional STS failover: the options every STS provider takes, and what status()/describe() report.
export { DEFAULT_FAILOVER_COOLDOWN_MS } from "./sts/breaker.js";
export type { BreakerPhase } from "./sts/breaker.js";
export { FAILOVER_REGIONS_VAR } from "./sts/failover-regions.js";
export type { StsFailoverOptions, StsEndpointOption } from "./sts/failover-options.js";
export type { StsFailoverStatus, StsEndpointStatus } from "./sts/failover.js";

export type { Logger } from "./shared/logger.js";
export { SafeCredentials, toSafeCredentials, redactCredentials } from "./shared/safe-credentials.js";
export type { RedactedCredentials } from "./shared/safe-credentials.js";

// Background refresh: one engine, two faces.
export {
  createRefresher,
  createSwapper,
  CredentialsExpiredError,
  CredentialsRejectedError,
  RefresherStoppedError,
  AttemptTimeoutError,
  credentialRejectionCode,
  planNextRefresh,
  DEFAULT_SCHEDULE_POLICY,
  backoffDelay,
  DEFAULT_BACKOFF_POLICY,
} from "./refresh/index.js";
export type {
  RefreshOptions,
  SwapperOptions,
  RefreshState,
  RefreshReason,
  RefreshStatus,
  RefreshEvent,
  RefreshErrorEvent,
  RefreshingProvider,
  Refresher,
  Swapper,
  ProviderFactory,
  ClientWithCredentials,
  AttachableClient,
  CredentialRejection,
  InvalidationResult,
  RejectionExplanation,
  SchedulePolicy,
  BackoffPolicy,
  ErrorSummary,
} from "./refresh/index.js";

// OpenTelemetry: the `telemetry` option's types (`@opentelemetry/api` is an optional peer dependency).
export type { TelemetryOption, TelemetryProviders, TelemetryMeterProvider, TelemetryTracerProvider } from "./telemetry/options.js";
