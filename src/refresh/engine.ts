/**
 * The one engine behind both faces (refresher and swapper): holds the current credentials, runs one
 * attempt at a time, plans the next one (schedule on success, backoff on failure), keeps the counters
 * `status()` reports and emits events. What an attempt *does* is injected (`Acquire`), which is the only
 * difference between a refresher (call the source) and a swapper (build a provider, resolve it, swap).
 */
import type { AwsCredentialIdentity } from "@smithy/types";
import type { Logger } from "../shared/logger.js";
import { redactedCopy } from "../shared/redact-error.js";
import { toSafeCredentials, type SafeCredentials } from "../shared/safe-credentials.js";
import { backoffDelay, type BackoffPolicy } from "./backoff.js";
import { AttemptTimeoutError, CredentialsExpiredError, CredentialsRejectedError, RefresherStoppedError, describeError, summarizeError, type ErrorSummary } from "./errors.js";
import { maskAccessKeyId } from "../shared/mask-access-key-id.js";
import type { CredentialRejection, InvalidationResult } from "./rejection-target.js";
import { mandatoryWindowFor, rememberRejectedKey } from "./rejection-rules.js";
import { planNextRefresh, type SchedulePolicy } from "./schedule.js";
import { withRefreshTelemetry, type CredentialsTelemetry } from "../telemetry/credentials.js";
// Longer waits are re-armed when the timer fires.
import { MAX_TIMER_MS } from "../shared/timer-limit.js";
import type { RefreshErrorEvent, RefreshEvent, RefreshReason, RefreshStatus } from "./types.js";

/** The result of one successful acquisition. */
export interface Acquired {
  credentials: AwsCredentialIdentity;
  /** Runs synchronously when the engine adopts these credentials (the swapper swaps its provider here). */
  commit?(): void;
  /** Runs when the engine will not adopt them (it was stopped meanwhile, or they are unusable). */
  abandon?(): void;
}

/**
 * One attempt at new credentials. `identityProperties` are the most recent caller's (what an SDK client
 * passes, e.g. `callerClientConfig` with its region), so a background fetch asks as that caller would.
 */
export type Acquire = (identityProperties: Record<string, unknown> | undefined) => Promise<Acquired>;

export interface EngineOptions {
  name: string;
  schedule: SchedulePolicy;
  backoff: BackoffPolicy;
  logger: Logger;
  random: () => number;
  /** An attempt that has not settled after this long counts as failed (Infinity: never). */
  attemptTimeoutMs: number;
  onRefresh?: ((event: RefreshEvent) => void) | undefined;
  onRefreshError?: ((event: RefreshErrorEvent) => void) | undefined;
  /** Runs once when the engine is stopped (the swapper disposes its provider here). */
  onStop?: () => void;
  /** Runs after new credentials were adopted (telemetry re-reads the source's kind: a chain settled, a swapper swapped). */
  onCommitted?: () => void;
  /** Refresh spans and duration, TTL gauge, stale-served count; undefined when telemetry is off. */
  telemetry?: CredentialsTelemetry | undefined;
  /** At most one fetch driven by rejections per this many ms (see `RefreshOptions.rejectionRefreshIntervalMs`). */
  rejectionRefreshIntervalMs: number;
  /** Credentials within this long of expiry are not handed out while a fetch can replace them. */
  mandatoryWindowMs: number;
  /**
   * Whether the source is one AWS keeps accepting expired credentials of while it is down (the instance
   * role: "static stability"); read when credentials expire with a refresh failing.
   */
  staticStability?: () => boolean;
}

/**
 * Attempts never reject: callers, timers and `ready` each turn an outcome into what they need. `error` is
 * the redacted copy (the only one anything outside the engine ever sees); `callerError` is what a caller
 * gets — the same copy, or a `CredentialsExpiredError` around it.
 */
type Outcome = { ok: true; credentials: SafeCredentials } | { ok: false; error: unknown; callerError: unknown };

/** The last failure, redacted, kept to answer callers at once between attempts. */
interface Failure {
  error: unknown;
  callerError: unknown;
}

interface Cached {
  credentials: SafeCredentials;
  /** Resolved once per fetch, so the hot path allocates nothing. */
  promise: Promise<SafeCredentials>;
  /** Epoch ms (AWS's clock); undefined for credentials that do not expire. */
  expiresAt: number | undefined;
  /**
   * Handed out without a second thought until this time (AWS's clock): the expiry less the mandatory
   * window; Infinity without expiry; -Infinity once withdrawn after a rejection.
   */
  freshUntil: number;
  /** AWS rejected these credentials (when, and with which code); they are not served once withdrawn. */
  rejectedAt?: number;
  rejectionCode?: string;
  /** Withdrawn after a rejection: never handed out again. */
  withdrawn: boolean;
}

/** A timer that fires this close to its due time counts as due (timers and the wall clock drift a little). */
const TIMER_SLACK_MS = 5;

/**
 * Internal: the faces (`createRefresher`, `createSwapper`) own one each and expose it as a provider.
 *
 * @example
 * ```ts
 * const engine = new RefreshEngine(async () => ({ credentials: await source({ forceRefresh: true }) }), options);
 * engine.start();
 * const credentials = await engine.get();
 * ```
 */
export class RefreshEngine {
  /** Settles after the first attempt; a no-op handler is attached so it never rejects unhandled. */
  readonly ready: Promise<void>;

  readonly #acquire: Acquire;
  readonly #options: EngineOptions;
  readonly #telemetry: CredentialsTelemetry | undefined;
  #cached: Cached | undefined;
  #inFlight: Promise<Outcome> | undefined;
  /** Attempts running or queued behind `#inFlight`; the last one to finish clears it. */
  #pending = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #nextRefreshAt: number | undefined;
  #stopped = false;
  #refreshCount = 0;
  #failureCount = 0;
  #consecutiveFailures = 0;
  #lastRefreshAt: number | undefined;
  #lastError: ErrorSummary | undefined;
  #lastErrorAt: number | undefined;
  /** The last attempt's failure; cleared by a success, so it is set exactly while `consecutiveFailures > 0`. */
  #lastFailure: Failure | undefined;
  /** The most recent caller's identity properties, handed to background attempts. */
  #identityProperties: Record<string, unknown> | undefined;
  #settleReady: ((outcome: Outcome) => void) | undefined;
  /** AWS's clock minus ours, as an SDK client measured it (`systemClockOffset`); 0 until one reports. */
  #clockOffsetMs = 0;
  #clockOffsetKnown = false;
  /** Access key ids AWS rejected lately (bounded): never adopted again. */
  readonly #rejectedKeys: string[] = [];
  /** When the last fetch driven by a rejection started (the rate limit of such fetches). */
  #rejectionFetchAt: number | undefined;
  #lastRejection: { at: number; code: string | undefined; accessKeyId: string | undefined } | undefined;

  constructor(acquire: Acquire, options: EngineOptions) {
    this.#acquire = acquire;
    this.#options = options;
    this.#telemetry = options.telemetry;
    // Read only when a reader collects; the engine is held weakly, read through the argument.
    this.#telemetry?.observeExpiration(this, (engine) => engine.#expiration());
    this.ready = new Promise<void>((resolve, reject) => {
      this.#settleReady = (outcome) => (outcome.ok ? resolve() : reject(outcome.error));
    });
    this.ready.catch(() => undefined);
  }

  /** Starts the prefetch. Separate from the constructor so the face can finish wiring itself first. */
  start(): void {
    void this.#attempt("initial");
  }

  /**
   * The hot path: while the cached credentials are valid, return their already-resolved promise —
   * one clock read and a comparison, no allocation.
   */
  get(identityProperties?: Record<string, unknown>): Promise<SafeCredentials> {
    if (identityProperties !== undefined) this.#identityProperties = identityProperties;
    const cached = this.#cached;
    if (cached !== undefined && Date.now() + this.#clockOffsetMs < cached.freshUntil) {
      // The only telemetry on a resolution: a field increment while degraded (read when collected).
      if (this.#consecutiveFailures > 0) this.#telemetry?.staleServed();
      return cached.promise;
    }
    return this.#demand();
  }

  /**
   * The credentials held if they may still be served at all: not withdrawn after a rejection and not
   * expired on AWS's clock (as far as a client measured it). Inside the mandatory window they are only
   * served when no fetch can replace them now.
   */
  #valid(now: number = Date.now()): Cached | undefined {
    const cached = this.#cached;
    if (cached === undefined || cached.withdrawn) return undefined;
    if (cached.expiresAt === undefined || now + this.#clockOffsetMs < cached.expiresAt) return cached;
    return this.#staticallyStable() ? cached : undefined;
  }

  /**
   * Static stability: instance-role credentials are served past their expiry while the instance metadata
   * service cannot renew them (as the SDK's IMDS provider does; AWS accepts them meanwhile, and rejects
   * them through `invalidate()` if not). Never for anything else: STS credentials past expiry are rejected.
   */
  #staticallyStable(): boolean {
    const stable = this.#options.staticStability;
    if (stable === undefined) return false;
    try {
      return stable();
    } catch {
      return false;
    }
  }

  /** Takes the clock offset an SDK client measured against AWS, so expiry is judged on AWS's clock. */
  noteClockOffset(offsetMs: number): void {
    if (!Number.isFinite(offsetMs)) return;
    this.#clockOffsetMs = offsetMs;
    this.#clockOffsetKnown = true;
  }

  /**
   * AWS rejected `accessKeyId` (default: the credentials held). If newer ones are held, nothing to do; if
   * a fetch is under way, it is joined; otherwise the credentials are withdrawn and one forced fetch runs —
   * at most one per `rejectionRefreshIntervalMs`: past that, the credentials stay (they may still work
   * elsewhere) and the result says why nothing replaced them.
   */
  async invalidate(accessKeyId?: string, rejection: CredentialRejection = {}): Promise<InvalidationResult> {
    const now = Date.now();
    if (rejection.clockOffsetMs !== undefined) this.noteClockOffset(rejection.clockOffsetMs);
    const held = this.#cached;
    const named = accessKeyId ?? held?.credentials.accessKeyId;
    const code = rejection.code;
    if (named !== undefined) rememberRejectedKey(this.#rejectedKeys, named);
    this.#lastRejection = { at: now, code, accessKeyId: named === undefined ? undefined : maskAccessKeyId(named) };
    const name = this.#options.name;
    const what = `${named === undefined ? "credentials" : maskAccessKeyId(named)}${code === undefined ? "" : ` (${code})`}`;
    if (held === undefined || held.credentials.accessKeyId !== named) {
      // Newer credentials are held already (or none ever were): nothing to withdraw.
      if (this.#inFlight !== undefined) return replacedBy(await this.#inFlight, named, false);
      if (this.#valid(now) !== undefined) return { replaced: true, fetched: false };
      return { replaced: false, fetched: false, reason: `${name} holds no valid credentials to replace them with` };
    }
    held.rejectedAt = now;
    held.rejectionCode = code;
    if (this.#stopped) return { replaced: false, fetched: false, reason: `${name} was stopped and no longer fetches credentials` };
    if (this.#inFlight !== undefined) {
      held.withdrawn = true;
      held.freshUntil = -Infinity;
      return replacedBy(await this.#inFlight, named, false);
    }
    const interval = this.#options.rejectionRefreshIntervalMs;
    const last = this.#rejectionFetchAt;
    if (last !== undefined && now - last < interval) {
      const nextAt = new Date(last + interval).toISOString();
      const reason =
        `${name} fetched new credentials at ${new Date(last).toISOString()} after an earlier rejection, and AWS rejected ${what} as well; ` +
        `it fetches at most once per ${interval} ms after rejections (rejectionRefreshIntervalMs), so not before ${nextAt}`;
      this.#log("error", `${name}: AWS rejected ${what}; ${reason}`);
      this.#emit(this.#options.onRefreshError, "onRefreshError", {
        reason: "rejected",
        error: new CredentialsRejectedError(reason, code),
        attempt: this.#consecutiveFailures,
        nextRetryAt: toDate(this.#nextRefreshAt),
        durationMs: 0,
        credentialsValid: false,
        expiration: toDate(held.expiresAt),
      });
      return { replaced: false, fetched: false, reason };
    }
    this.#rejectionFetchAt = now;
    held.withdrawn = true;
    held.freshUntil = -Infinity;
    const until = held.expiresAt === undefined ? "without expiry" : `valid until ${new Date(held.expiresAt).toISOString()} by this host's clock`;
    const offset = this.#clockOffsetKnown ? `; clock offset measured against AWS: ${this.#clockOffsetMs} ms` : "";
    this.#log("warn", `${name}: AWS rejected ${what} (${until}${offset}); withdrawn, fetching new credentials`);
    const outcome = await this.#attempt("rejected");
    const result = replacedBy(outcome, named, true);
    if (!outcome.ok) result.reason = `${name} could not fetch new credentials: ${describeError(outcome.error)}`;
    return result;
  }

  /** A forced attempt (joining one under way); rejects if it fails. */
  refresh(override?: Acquire, identityProperties?: Record<string, unknown>): Promise<SafeCredentials> {
    if (identityProperties !== undefined) this.#identityProperties = identityProperties;
    if (this.#stopped) return Promise.reject(new RefresherStoppedError(this.#options.name, this.#expiration()));
    return this.#attempt("forced", override).then(unwrap);
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#clearTimer();
    this.#nextRefreshAt = undefined;
    this.#log("debug", `${this.#options.name}: stopped`);
    this.#telemetry?.close();
    if (this.#options.onStop) this.#safely(this.#options.onStop, "onStop");
  }

  status(): RefreshStatus {
    const now = Date.now();
    const cached = this.#cached;
    const valid = this.#valid(now) !== undefined;
    let state: RefreshStatus["state"];
    if (this.#stopped) state = "stopped";
    else if (cached?.rejectedAt !== undefined) state = "rejected";
    else if (valid) state = this.#consecutiveFailures > 0 ? "degraded" : "ready";
    else if (cached !== undefined) state = "expired";
    else state = this.#failureCount > 0 ? "failed" : "starting";
    return {
      state,
      expiration: toDate(cached?.expiresAt),
      lastRefreshAt: toDate(this.#lastRefreshAt),
      lastError: this.#lastError ? { ...this.#lastError } : undefined,
      lastErrorAt: toDate(this.#lastErrorAt),
      refreshCount: this.#refreshCount,
      failureCount: this.#failureCount,
      consecutiveFailures: this.#consecutiveFailures,
      nextRefreshAt: toDate(this.#nextRefreshAt),
      refreshing: this.#inFlight !== undefined,
      ...(this.#lastRejection === undefined ? {} : { lastRejection: { at: new Date(this.#lastRejection.at), code: this.#lastRejection.code, accessKeyId: this.#lastRejection.accessKeyId } }),
      ...(this.#clockOffsetKnown ? { clockOffsetMs: this.#clockOffsetMs } : {}),
      ...(valid && cached?.expiresAt !== undefined && now + this.#clockOffsetMs >= cached.expiresAt ? { staticStability: { since: new Date(cached.expiresAt) } } : {}),
    };
  }

  /**
   * No valid credentials: wait for an attempt (joining one under way) — this is the only waiting path.
   * After a failure, callers do not start attempts of their own before the retry is due: they get the
   * last (redacted) error at once, so however many callers there are, the source sees at most one
   * attempt per backoff interval.
   */
  #demand(): Promise<SafeCredentials> {
    if (this.#inFlight === undefined) {
      // Inside the mandatory window but no fetch can run now (stopped, or backing off): the held
      // credentials, still valid on AWS's clock, are better than an error.
      const held = this.#valid();
      if (this.#stopped) return held !== undefined ? held.promise : Promise.reject(new RefresherStoppedError(this.#options.name, this.#expiration()));
      // The last outcome was a failure (a success clears it), and its retry is not due yet.
      const failure = this.#lastFailure;
      if (failure !== undefined && Date.now() < (this.#nextRefreshAt ?? 0)) {
        if (held !== undefined) {
          this.#telemetry?.staleServed();
          return held.promise;
        }
        return Promise.reject(this.#callerErrorNow(failure));
      }
    }
    return this.#attempt("demand").then((outcome) => {
      if (outcome.ok) return outcome.credentials;
      // A caller that raced a forced refresh (or is inside the mandatory window) may still find valid credentials; serve them rather than fail.
      const cached = this.#valid();
      if (cached !== undefined) {
        this.#telemetry?.staleServed();
        return cached.credentials;
      }
      throw outcome.callerError;
    });
  }

  /** Single flight: joins the attempt under way, unless `override` must run (then it queues behind it). */
  #attempt(reason: RefreshReason, override?: Acquire): Promise<Outcome> {
    const current = this.#inFlight;
    if (current !== undefined && override === undefined) return current;
    this.#pending += 1;
    const run = (): Promise<Outcome> => this.#run(reason, override ?? this.#acquire);
    const attempt = current !== undefined ? current.then(run) : run();
    this.#inFlight = attempt;
    return attempt;
  }

  async #run(reason: RefreshReason, acquire: Acquire): Promise<Outcome> {
    this.#clearTimer();
    this.#nextRefreshAt = undefined;
    const startedAt = Date.now();
    let problem: Error | undefined;
    // Unusable credentials fail the attempt inside its span too (the refresh span and histogram see it).
    const checked = async (): Promise<Acquired> => {
      const acquired = await acquire(this.#identityProperties);
      const found = this.#check(acquired);
      if (found === undefined) return acquired;
      problem = found;
      this.#finish(acquired, "abandon");
      throw found;
    };
    let acquired: Acquired;
    try {
      acquired = await withRefreshTelemetry(this.#telemetry, reason, () => this.#bounded(checked()));
    } catch (error) {
      return error === problem ? this.#fail(error, reason, startedAt, true) : this.#fail(error, reason, startedAt);
    }
    return this.#succeed(acquired, reason, startedAt);
  }

  /**
   * Bounds an attempt: a hung STS socket must not freeze refreshing (single flight would otherwise wait
   * on it forever while the credentials run out). A late answer is abandoned, never adopted.
   */
  #bounded(pending: Promise<Acquired>): Promise<Acquired> {
    const limit = this.#options.attemptTimeoutMs;
    if (!Number.isFinite(limit)) return pending;
    return new Promise<Acquired>((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        reject(new AttemptTimeoutError(this.#options.name, limit));
      }, limit);
      timer.unref();
      pending.then(
        (acquired) => {
          clearTimeout(timer);
          if (timedOut) this.#finish(acquired, "abandon");
          else resolve(acquired);
        },
        (error: unknown) => {
          clearTimeout(timer);
          // After a timeout this is a no-op: the promise has settled.
          reject(error);
        },
      );
    });
  }

  #check(acquired: Acquired | undefined): Error | undefined {
    const c: unknown = acquired?.credentials;
    const name = this.#options.name;
    if (typeof c !== "object" || c === null) return new TypeError(`${name}: the source resolved to ${c === null ? "null" : typeof c}, not credentials`);
    const { accessKeyId, secretAccessKey, expiration } = c as Record<string, unknown>;
    if (typeof accessKeyId !== "string" || !accessKeyId || typeof secretAccessKey !== "string" || !secretAccessKey) {
      return new TypeError(`${name}: the source resolved to credentials without accessKeyId or secretAccessKey`);
    }
    if (this.#rejectedKeys.includes(accessKeyId)) {
      return new CredentialsRejectedError(
        `${name}: the source returned credentials (${maskAccessKeyId(accessKeyId)}) that AWS has already rejected; they are not handed out again`,
        this.#lastRejection?.code,
      );
    }
    if (expiration === undefined) return undefined;
    if (!(expiration instanceof Date) || !Number.isFinite(expiration.getTime())) {
      return new TypeError(`${name}: the source resolved to credentials whose expiration is not a valid Date`);
    }
    if (expiration.getTime() <= Date.now()) {
      return new Error(`${name}: the source returned credentials that had already expired at ${expiration.toISOString()}`);
    }
    return undefined;
  }

  #succeed(acquired: Acquired, reason: RefreshReason, startedAt: number): Outcome {
    this.#finishFlight();
    const now = Date.now();
    const credentials = toSafeCredentials(acquired.credentials);
    const expiresAt = credentials.expiration?.getTime();
    const freshUntil = expiresAt === undefined ? Infinity : expiresAt - mandatoryWindowFor(expiresAt - now - this.#clockOffsetMs, this.#options.mandatoryWindowMs);
    // Adopt and commit in one synchronous step: no caller can observe the new provider with old credentials.
    this.#cached = { credentials, promise: Promise.resolve(credentials), expiresAt, freshUntil, withdrawn: false };
    this.#finish(acquired, this.#stopped ? "abandon" : "commit");
    if (!this.#stopped) this.#options.onCommitted?.();
    this.#refreshCount += 1;
    this.#lastRefreshAt = now;
    const recoveredFrom = this.#consecutiveFailures;
    this.#consecutiveFailures = 0;
    this.#lastFailure = undefined;
    // Planned on AWS's clock: with a measured offset, expiry comes that much sooner (or later) by ours.
    const localExpiry = expiresAt === undefined ? undefined : expiresAt - this.#clockOffsetMs;
    const next = this.#stopped ? undefined : planNextRefresh(localExpiry, now, this.#options.schedule, this.#options.random);
    this.#arm(next);
    const durationMs = now - startedAt;
    this.#log(
      recoveredFrom > 0 ? "info" : "debug",
      `${this.#options.name}: credentials obtained (${reason}) in ${durationMs} ms` +
        `${recoveredFrom > 0 ? ` after ${recoveredFrom} failed attempt${recoveredFrom === 1 ? "" : "s"}` : ""}; ` +
        `expire ${credentials.expiration ? `at ${credentials.expiration.toISOString()}` : "never"}; ` +
        `next refresh ${next === undefined ? "not planned" : `at ${new Date(next).toISOString()}`}`,
    );
    this.#emit(this.#options.onRefresh, "onRefresh", {
      reason,
      durationMs,
      expiration: toDate(expiresAt),
      nextRefreshAt: toDate(next),
      refreshCount: this.#refreshCount,
    });
    const outcome: Outcome = { ok: true, credentials };
    this.#settleFirst(outcome);
    return outcome;
  }

  /**
   * Records a failed attempt. This is the one place where an error from outside (a source, a factory, a
   * provider) is redacted: from here on only the copy exists for callers, `ready`, events, logs and
   * `status()`. `ours` marks errors the engine built itself (they carry no secret and keep their class).
   */
  #fail(raw: unknown, reason: RefreshReason, startedAt: number, ours = false): Outcome {
    this.#finishFlight();
    const now = Date.now();
    const held = this.#cached;
    const secrets = held?.credentials;
    const error = ours || raw instanceof AttemptTimeoutError ? raw : redactedCopy(raw, [secrets?.secretAccessKey, secrets?.sessionToken]);
    this.#failureCount += 1;
    this.#consecutiveFailures += 1;
    this.#lastError = summarizeError(error, secrets);
    this.#lastErrorAt = now;
    const retryAt = this.#stopped ? undefined : now + backoffDelay(this.#consecutiveFailures, this.#options.backoff, this.#options.random);
    this.#arm(retryAt);
    const serving = this.#valid(now);
    const valid = serving !== undefined;
    const withdrawn = held?.withdrawn === true;
    const expiredAt = held !== undefined && !valid && !withdrawn ? toDate(held.expiresAt) : undefined;
    const callerError = expiredAt ? new CredentialsExpiredError(expiredAt, error, secrets) : error;
    this.#lastFailure = { error, callerError };
    const name = this.#options.name;
    const attempt = this.#consecutiveFailures;
    const retry = retryAt === undefined ? "no retry (stopped)" : `next attempt at ${new Date(retryAt).toISOString()}`;
    const cause = describeError(error, secrets);
    if (valid) {
      const until =
        serving.expiresAt === undefined
          ? "without expiry"
          : serving.expiresAt <= now + this.#clockOffsetMs
            ? `that expired at ${new Date(serving.expiresAt).toISOString()} (static stability: the instance role's credentials stay in use while the metadata service cannot renew them)`
            : `valid until ${new Date(serving.expiresAt).toISOString()}`;
      this.#log("warn", `${name}: refresh failed (${reason}, attempt ${attempt}); still serving credentials ${until}; ${retry}: ${cause}`);
    } else {
      const state = withdrawn ? "the credentials held were rejected by AWS" : expiredAt ? `credentials expired at ${expiredAt.toISOString()}` : "no credentials yet";
      this.#log("error", `${name}: could not obtain credentials (${reason}, attempt ${attempt}; ${state}); ${retry}: ${cause}`);
    }
    this.#emit(this.#options.onRefreshError, "onRefreshError", {
      reason,
      error,
      attempt,
      nextRetryAt: toDate(retryAt),
      durationMs: now - startedAt,
      credentialsValid: valid,
      expiration: toDate(held?.expiresAt),
    });
    const outcome: Outcome = { ok: false, error, callerError };
    this.#settleFirst(outcome);
    return outcome;
  }

  /**
   * Ends this attempt's flight synchronously, before callbacks run and `ready` settles, so that anyone
   * reacting to the outcome (a callback calling `refresh()`, a `status()` read) starts afresh.
   */
  #finishFlight(): void {
    this.#pending -= 1;
    if (this.#pending === 0) this.#inFlight = undefined;
  }

  /** Runs `acquired.commit()` or `acquired.abandon()` if the acquisition has it (`acquired` may be anything a source resolved to). */
  #finish(acquired: Acquired | undefined, which: "commit" | "abandon"): void {
    const fn = acquired?.[which];
    if (fn) this.#safely(() => fn.call(acquired), which);
  }

  #settleFirst(outcome: Outcome): void {
    const settle = this.#settleReady;
    this.#settleReady = undefined;
    settle?.(outcome);
  }

  #arm(at: number | undefined): void {
    this.#clearTimer();
    this.#nextRefreshAt = at;
    if (at === undefined || this.#stopped) return;
    const delay = Math.min(Math.max(0, at - Date.now()), MAX_TIMER_MS);
    const timer = setTimeout(this.#onTimer, delay, at);
    // Never keep a process alive just to refresh credentials nobody may use again.
    timer.unref();
    this.#timer = timer;
  }

  /**
   * Fires only while `due` is still the plan: stop() and every re-plan (`#run`, `#arm`) clear the timer
   * first, so no check of `#stopped` or `#nextRefreshAt` is needed here.
   */
  readonly #onTimer = (due: number): void => {
    this.#timer = undefined;
    if (due - Date.now() > TIMER_SLACK_MS) {
      this.#arm(due);
      return;
    }
    void this.#attempt(this.#consecutiveFailures > 0 ? "retry" : "scheduled");
  };

  #clearTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * What a caller turned away between attempts gets: the last failure's error, wrapped in a
   * `CredentialsExpiredError` if the credentials held have expired since (built once, then reused).
   */
  #callerErrorNow(failure: Failure): unknown {
    const held = this.#cached;
    // Only #demand asks, right after get() found the held credentials expired (or none).
    if (held === undefined || held.withdrawn || held.expiresAt === undefined || failure.callerError instanceof CredentialsExpiredError) return failure.callerError;
    failure.callerError = new CredentialsExpiredError(new Date(held.expiresAt), failure.error, held.credentials);
    return failure.callerError;
  }

  #expiration(): Date | undefined {
    return toDate(this.#cached?.expiresAt);
  }

  /** Calls a user callback; neither a throw nor a rejected promise from it may disturb the engine. */
  #emit<E>(callback: ((event: E) => void) | undefined, label: string, event: E): void {
    if (callback === undefined) return;
    this.#safely(() => callback(event), label);
  }

  #safely(fn: () => unknown, label: string): void {
    try {
      const result = fn();
      if (isThenable(result)) {
        result.then(undefined, (error: unknown) => this.#log("error", `${this.#options.name}: ${label} failed: ${describeError(error)}`));
      }
    } catch (error) {
      this.#log("error", `${this.#options.name}: ${label} threw: ${describeError(error)}`);
    }
  }

  #log(level: keyof Logger, message: string): void {
    try {
      this.#options.logger[level](message);
    } catch {
      // A broken logger must not break credential refresh.
    }
  }
}

/** What an invalidation of `named` ended with, given the attempt it waited for. */
function replacedBy(outcome: Outcome, named: string | undefined, fetched: boolean): InvalidationResult {
  if (outcome.ok && outcome.credentials.accessKeyId !== named) return { replaced: true, fetched };
  return { replaced: false, fetched, reason: outcome.ok ? "the source returned the same credentials" : `fetching new credentials failed: ${describeError(outcome.error)}` };
}

function unwrap(outcome: Outcome): SafeCredentials {
  if (outcome.ok) return outcome.credentials;
  throw outcome.callerError;
}

function toDate(ms: number | undefined): Date | undefined {
  return ms === undefined ? undefined : new Date(ms);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function";
}
