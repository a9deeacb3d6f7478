/**
 * Public types of the refresher and the swapper: options, status and events.
 */
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { Logger } from "../shared/logger.js";
import type { SafeCredentials } from "../shared/safe-credentials.js";
import type { BackoffPolicy } from "./backoff.js";
import type { ErrorSummary } from "./errors.js";
import type { SchedulePolicy } from "./schedule.js";
import type { StsFailoverStatus } from "../sts/failover.js";
import type { TelemetryOption } from "../telemetry/options.js";
import type { CredentialRejection, InvalidationResult } from "./rejection-target.js";
import type { AttachableClient } from "./rejection-middleware.js";

/**
 * Where a refreshing provider stands (what a readiness probe wants):
 * - `starting`: the first fetch is under way, no credentials yet;
 * - `ready`: valid credentials, the last attempt succeeded;
 * - `degraded`: valid credentials, but the last refresh failed and is being retried with backoff;
 * - `expired`: the credentials expired and no refresh has succeeded since; calls fail (and retry);
 * - `failed`: no credentials were ever obtained; the last attempt failed and is being retried;
 * - `rejected`: AWS rejected the credentials held (see `lastRejection`) and none have replaced them yet —
 *   a fetch is under way, or failed, or new ones were rejected too;
 * - `stopped`: `stop()` was called.
 *
 * A process is ready to serve while the state is `ready` or `degraded`.
 */
export type RefreshState = "starting" | "ready" | "degraded" | "expired" | "failed" | "rejected" | "stopped";

/** Why an attempt ran. */
export type RefreshReason =
  /** the prefetch at creation */
  | "initial"
  /** the planned refresh before expiry (or after `period`) */
  | "scheduled"
  /** a retry after a failed attempt */
  | "retry"
  /** `refresh()`, `swap()` or a call with `{ forceRefresh: true }` */
  | "forced"
  /** a call that found no valid credentials (before the first success, after expiry, inside the mandatory window) */
  | "demand"
  /** AWS rejected the credentials held (`invalidate()`, or a client wired with `attach()`) */
  | "rejected";

/**
 * A snapshot for health checks and logs. JSON-safe and secret-free: dates are `Date` objects, which
 * `JSON.stringify` writes as ISO 8601 strings; errors are reduced to name and message.
 */
export interface RefreshStatus {
  state: RefreshState;
  /** When the credentials held expire (undefined: none held, or they do not expire). */
  expiration: Date | undefined;
  /** When the last successful fetch completed. */
  lastRefreshAt: Date | undefined;
  /** The most recent failed attempt's error (kept after a later success; compare `lastErrorAt`). */
  lastError: ErrorSummary | undefined;
  /** When the most recent failed attempt ended. */
  lastErrorAt: Date | undefined;
  /** Successful fetches so far, the initial one included. */
  refreshCount: number;
  /** Failed attempts so far. */
  failureCount: number;
  /** Failed attempts since the last success (0 when healthy). */
  consecutiveFailures: number;
  /** When the next background attempt is due (undefined: none planned, or one is running). */
  nextRefreshAt: Date | undefined;
  /** Whether an attempt is running now. */
  refreshing: boolean;
  /**
   * For a source that calls STS itself (`fromRegionalWebIdentity`, the env-gated chain on web identity):
   * the STS endpoint in use and each regional endpoint's circuit breaker (see failover).
   */
  sts?: StsFailoverStatus;
  /**
   * Whose credentials these are, in words, when the source says (the env-gated chain, once it has chosen):
   * e.g. the execution role of a Lambda function, whose keys carry no expiration and are fetched once.
   */
  identity?: string;
  /** The last time AWS rejected credentials of this provider: when, the error code, the (masked) key id. */
  lastRejection?: { at: Date; code: string | undefined; accessKeyId: string | undefined };
  /** AWS's clock minus this host's, as an attached SDK client measured it (absent until one reports). */
  clockOffsetMs?: number;
  /**
   * Present while instance-role credentials are served past their expiry because the metadata service
   * cannot renew them (static stability, as the SDK's IMDS provider; state `degraded`): since when.
   */
  staticStability?: { since: Date };
}

/** Passed to `onRefresh` after every successful fetch. */
export interface RefreshEvent {
  reason: RefreshReason;
  /** How long the fetch took (for a swapper: build and resolve). */
  durationMs: number;
  /** When the new credentials expire (undefined: they do not). */
  expiration: Date | undefined;
  /** When the next refresh is planned (undefined: none). */
  nextRefreshAt: Date | undefined;
  /** Successful fetches so far, this one included. */
  refreshCount: number;
}

/** Passed to `onRefreshError` after every failed attempt. */
export interface RefreshErrorEvent {
  reason: RefreshReason;
  /**
   * What the source (or factory) threw, as the redacted copy every other surface sees too (same name,
   * message, code and `$metadata`; secrets masked, raw response and object-valued fields dropped).
   */
  error: unknown;
  /** Consecutive failures, this one included (1 for the first failure after a success). */
  attempt: number;
  /** When the next attempt is due (undefined once stopped). */
  nextRetryAt: Date | undefined;
  durationMs: number;
  /** Whether callers are still being served valid credentials. */
  credentialsValid: boolean;
  /** When the credentials still held expire (undefined: none held, or they do not expire). */
  expiration: Date | undefined;
}

/** Options shared by {@link createRefresher} and {@link createSwapper}. */
export interface RefreshOptions {
  /**
   * When to refresh ahead of expiry (see {@link SchedulePolicy}; defaults: 10–15 min before expiry for
   * long lifetimes, after 50–75% of the lifetime for short ones).
   */
  schedule?: Partial<Omit<SchedulePolicy, "periodMs">>;
  /** Refresh at least every `period` milliseconds, also for credentials that never expire. Default: none. */
  period?: number;
  /** Retry delays after failures (see {@link BackoffPolicy}; default 1 s doubling up to 60 s, equal jitter). */
  backoff?: Partial<BackoffPolicy>;
  /**
   * An attempt (a source call; for a swapper, build and resolve) that has not settled after this many
   * milliseconds counts as failed and is retried with backoff, so a hung connection cannot stall
   * refreshing while the credentials run out. Default 30,000; `Infinity` disables the bound.
   */
  attemptTimeoutMs?: number;
  /** SDK-compatible logger (`console`, pino, winston). Default: silent. Never receives secrets. */
  logger?: Logger;
  /** Called after every successful fetch. Exceptions (and rejections) it produces are logged and ignored. */
  onRefresh?: (event: RefreshEvent) => void;
  /** Called after every failed attempt. Exceptions (and rejections) it produces are logged and ignored. */
  onRefreshError?: (event: RefreshErrorEvent) => void;
  /**
   * Label used in logs and error messages, and the `awscreds.provider` attribute of its metrics and spans
   * (keep it low-cardinality: one per role of the provider in your service, such as `"orders-sqs"`).
   * Default `"awscreds refresher"` / `"awscreds swapper"`.
   */
  name?: string;
  /**
   * OpenTelemetry reporting: an `awscreds refresh` span and an `awscreds.credentials.refresh.duration`
   * point per attempt (with `awscreds.refresh.reason`: `initial`, `scheduled`, `retry`, `forced`,
   * `demand` or `rejected`), the `awscreds.credentials.ttl` gauge (read only when collected) and
   * `awscreds.credentials.stale_served` (the only addition to a resolution: a field increment while
   * degraded). To the global providers when `@opentelemetry/api` is installed (default), to
   * `{ meterProvider, tracerProvider }` when given, nowhere with `false` (the API is then never loaded).
   * An invalid provider throws a `TypeError` at construction.
   */
  telemetry?: TelemetryOption;
  /** Uniform random numbers in `[0, 1)` for jitter. Default `Math.random`; inject a seeded one in tests. */
  random?: () => number;
  /**
   * After AWS rejects credentials (see `invalidate()` and `attach()`), at most one fetch per this many ms
   * is driven by rejections, so credentials that AWS keeps rejecting (a clock far off, a revoked role)
   * cannot turn every request into an STS call. Default 30,000: a fleet of 1,000 such processes adds at most
   * ~33 STS calls/s, far below the 600/s quota, while a second rejection is recovered within half a minute.
   */
  rejectionRefreshIntervalMs?: number;
  /**
   * Credentials that expire within this many ms are not handed out while a fetch can replace them (as the
   * AWS SDKs' shared refresh behaviour does); if the fetch fails they are served until they expire. At most
   * a tenth of the credentials' lifetime. Expiry is judged on AWS's clock when an attached client measured
   * an offset. Default 60,000.
   */
  mandatoryWindowMs?: number;
}

/** A provider `createSwapper` can build: any credential provider function (or a promise of one). */
export type ProviderFactory = () => AwsCredentialIdentityProvider | Promise<AwsCredentialIdentityProvider>;

/** Options of {@link createSwapper}. */
export type SwapperOptions = RefreshOptions;

/**
 * A credential provider that keeps its credentials fresh in the background. Pass it as `credentials` to
 * any SDK v3 client; the lifecycle hangs off the function.
 */
export interface RefreshingProvider {
  /**
   * Current credentials: a cached, already-resolved promise while they are valid. Only when none are
   * valid (before the first fetch, after expiry) does the call wait, sharing one fetch with every other
   * caller — and after a failed attempt, not even that: until the retry is due, calls are rejected at once
   * with the last (redacted) error, so callers never drive the source faster than the backoff.
   * `{ forceRefresh: true }` behaves like {@link RefreshingProvider.refresh}. The identity properties of the
   * most recent call (an SDK client passes its config there) are handed to background fetches.
   */
  (identityProperties?: Record<string, unknown>): Promise<SafeCredentials>;
  /**
   * Settles once the first attempt is over: fulfils on success, rejects with (the redacted copy of) the
   * source's error on failure. A handler is attached at creation, so not awaiting it never causes an
   * unhandled rejection.
   */
  readonly ready: Promise<void>;
  /** A secret-free snapshot, fit for a readiness probe (see {@link RefreshStatus}). */
  status(): RefreshStatus;
  /** Fetches now (joining one under way) and resolves with the new credentials; rejects if it fails. */
  refresh(): Promise<SafeCredentials>;
  /**
   * Stops background work. Cached credentials are served until they expire; after that calls fail with
   * `RefresherStoppedError`. Idempotent.
   */
  stop(): void;
  /** Same as `stop()`, for `using`. */
  [Symbol.dispose](): void;
  /**
   * Tells the provider that AWS rejected `accessKeyId` (default: the credentials held): those are never
   * handed out again. If newer credentials are held already nothing is fetched; otherwise one forced fetch
   * runs, shared by every caller (at most one per `rejectionRefreshIntervalMs`; past that the credentials
   * stay in service and the result says why). `rejection` (the code AWS answered, the client's clock
   * offset) shows in `status()` and logs. Never rejects.
   *
   * @example
   * ```ts
   * try {
   *   await dynamo.send(command);
   * } catch (error) {
   *   if ((error as Error).name === "UnrecognizedClientException") await credentials.invalidate();
   * }
   * ```
   */
  invalidate(accessKeyId?: string, rejection?: CredentialRejection): Promise<InvalidationResult>;
  /**
   * Wires an already-constructed v3 client to this provider: `client.config.credentials` becomes it, and a
   * request AWS rejects for its credentials (`ExpiredToken`, `InvalidClientTokenId`,
   * `UnrecognizedClientException`, `InvalidToken`, `AuthFailure`, `InvalidAccessKeyId` — never
   * `AccessDenied`) invalidates the credentials that signed it and is sent again, once, with new ones.
   * The client's measured clock offset is used to judge expiry. Returns the client.
   *
   * @example
   * ```ts
   * const sqs = credentials.attach(new SQSClient({ region: "eu-west-1" }));
   * ```
   */
  attach<C extends AttachableClient>(client: C): C;
  /** Tells SDK v3 clients not to wrap the provider in their own memoization (see sdk-marking.ts). */
  memoized: boolean;
  configBound: boolean;
  attributed: boolean;
}

/** What {@link createRefresher} returns. */
export type Refresher = RefreshingProvider;

/** Something with an SDK v3 client's `config.credentials` (every `*Client` of `@aws-sdk/client-*`). */
export interface ClientWithCredentials {
  config: { credentials?: unknown };
}

/** What {@link createSwapper} returns. */
export interface Swapper extends RefreshingProvider {
  /**
   * Without an argument: builds a new provider now, resolves it and swaps it in (a rebuild).
   * With a provider: resolves that one and swaps it in. Resolves with the new credentials; rejects, keeping
   * the previous provider, if building or resolving fails. Same as `refresh()` without an argument.
   */
  swap(next?: AwsCredentialIdentityProvider): Promise<SafeCredentials>;
  /**
   * Points an already-constructed v3 client at this swapper (`client.config.credentials = swapper`), so its
   * next request uses the swapper's current credentials, and gives it the recovery from rejected
   * credentials described on {@link RefreshingProvider.attach}. Returns the client.
   */
  attach<C extends AttachableClient>(client: C): C;
  /** The provider currently swapped in (undefined until the first build succeeds). */
  readonly current: AwsCredentialIdentityProvider | undefined;
}
