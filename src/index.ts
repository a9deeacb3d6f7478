/**
 * awscreds: AWS credential providers for long-running Node.js services.
 */
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
