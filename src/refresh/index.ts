/**
 * Background refresh: `createRefresher` (one source) and `createSwapper` (a whole provider), both faces of
 * one engine; plus the pure scheduling and backoff rules they use.
 */
export { createRefresher } from "./refresher.js";
export { createSwapper } from "./swapper.js";
export { AttemptTimeoutError, CredentialsExpiredError, CredentialsRejectedError, RefresherStoppedError } from "./errors.js";
export { credentialRejectionCode } from "./rejection-codes.js";
export type { CredentialRejection, InvalidationResult } from "./rejection-target.js";
export type { AttachableClient, RejectionExplanation } from "./rejection-middleware.js";
export type { ErrorSummary } from "./errors.js";
export { planNextRefresh, DEFAULT_SCHEDULE_POLICY } from "./schedule.js";
export type { SchedulePolicy } from "./schedule.js";
export { backoffDelay, DEFAULT_BACKOFF_POLICY } from "./backoff.js";
export type { BackoffPolicy } from "./backoff.js";
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
} from "./types.js";
