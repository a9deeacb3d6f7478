/**
 * awscreds: AWS credential providers for long-running Node.js services.
 *
 * @packageDocumentation
 * @module awscreds
 */
// Where credentials come from.
export { fromEnvGatedChain, fromRegionalWebIdentity, formatDescription, DEFAULT_DEPLOYED_ENVS } from "./sources/index.js";
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
} from "./sources/index.js";

export type { Logger } from "./shared/logger.js";
export { SafeCredentials, toSafeCredentials, redactCredentials } from "./shared/safe-credentials.js";
export type { RedactedCredentials } from "./shared/safe-credentials.js";

// Background refresh: one engine, two faces.
export {
  createRefresher,
  createSwapper,
  CredentialsExpiredError,
  RefresherStoppedError,
  AttemptTimeoutError,
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
  SchedulePolicy,
  BackoffPolicy,
  ErrorSummary,
} from "./refresh/index.js";

// OpenTelemetry: the `telemetry` option's types (`@opentelemetry/api` is an optional peer dependency).
export type { TelemetryOption, TelemetryProviders, TelemetryMeterProvider, TelemetryTracerProvider } from "./telemetry/options.js";
