/**
 * One fetch of a cached role, every STS attempt through the rate budget: Throttling shrinks the budget and
 * the attempt waits for it again; 5xx and network failures are retried with backoff; refusals are not.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { Logger } from "../shared/logger.js";
import type { SafeCredentials } from "../shared/safe-credentials.js";
import { clampMessage, fetchAssumedRole } from "../sources/assume-role-fetch.js";
import { classifyStsFailure, type RetryPolicy } from "../sts/retry.js";
import type { StsTransport } from "../sts/transport.js";
import type { RoleEntry } from "./entry.js";
import { credentialsError } from "../shared/errors.js";
import type { StsBudgetLink } from "../shared/sts-budget.js";
import { isThrottling, markSourceFailure, negativeCode } from "./negative.js";
import type { Priority } from "../shared/rate-budget.js";
import type { RoleCacheCounters } from "./status.js";

/** Throttled attempts of one fetch before its caller sees the Throttling (each waits for the budget first). */
const MAX_THROTTLED_ATTEMPTS = 8;
/** At most one "throttled" log line per this interval, however many calls STS throttles. */
const THROTTLE_LOG_INTERVAL_MS = 10_000;

export interface BudgetedFetchDeps {
  transport: StsTransport;
  source: AwsCredentialIdentityProvider;
  budget: StsBudgetLink;
  retry: RetryPolicy;
  logger: Logger;
  counters: RoleCacheCounters;
  random: () => number;
  /** Whether the cache was stopped meanwhile. */
  stopped: () => boolean;
  stoppedError: () => Error;
  /** Role keys whose role-chaining clamp was logged already. */
  clampsLogged: Set<string>;
  /** Shared by every fetch of one cache. */
  throttleLog: { at: number };
  /** How long a refusal is cached (shared with the fleet too, with a shared budget). */
  negativeTtlMs: number;
}

/**
 * @example
 * ```ts
 * const credentials = await fetchThroughBudget(entry, "demand", deps);
 * ```
 */
export async function fetchThroughBudget(entry: RoleEntry, priority: Priority, deps: BudgetedFetchDeps): Promise<SafeCredentials> {
  const { budget, counters, logger } = deps;
  const refused = deps.negativeTtlMs > 0 ? await budget.sharedRefusal?.(entry.key) : undefined;
  if (refused !== undefined) throw fleetRefusal(entry, refused);
  let throttled = 0;
  for (let attempt = 1; ; attempt++) {
    await budget.acquire(priority, () => entry.waiting);
    if (deps.stopped()) throw deps.stoppedError();
    let sourceFailed = false;
    const source: AwsCredentialIdentityProvider = (options) =>
      Promise.resolve()
        .then(() => deps.source(options))
        .catch((error: unknown) => {
        sourceFailed = true;
        throw error;
      });
    try {
      const credentials = await fetchAssumedRole({
        transport: deps.transport,
        request: entry.request,
        source,
        logger,
        retryable: () => false, // Every retry goes through the budget, here.
        onRoleChaining(chaining, clampedFrom) {
          counters.stsCalls += 1;
          entry.roleChaining = chaining;
          if (clampedFrom !== undefined && !deps.clampsLogged.has(entry.key)) {
            deps.clampsLogged.add(entry.key);
            logger.warn(clampMessage(entry.request.role.arn, clampedFrom));
          }
        },
      });
      budget.accepted();
      return credentials;
    } catch (error) {
      // The signing credentials failed (even with a name like AccessDenied): back off and retry, never a refusal.
      if (sourceFailed) {
        markSourceFailure(error);
        throw error;
      }
      const refusal = negativeCode(error);
      if (refusal !== undefined && deps.negativeTtlMs > 0) budget.shareRefusal?.(entry.key, refusal, deps.negativeTtlMs);
      if (isThrottling(error)) {
        counters.throttled += 1;
        budget.throttled();
        throttled += 1;
        if (Date.now() - deps.throttleLog.at > THROTTLE_LOG_INTERVAL_MS) {
          deps.throttleLog.at = Date.now();
          const rate = budget.status();
          logger.warn(
            `awscreds: STS throttled AssumeRole; the role cache slows to ${rate.currentPerSecond}/s (of ${rate.targetPerSecond}/s)` +
              (rate.pausedUntil ? ` and pauses until ${rate.pausedUntil.toISOString()}` : ""),
          );
        }
        if (throttled < MAX_THROTTLED_ATTEMPTS && !deps.stopped()) continue;
        throw error;
      }
      const kind = classifyStsFailure((error as { cause?: unknown }).cause);
      if (kind === "fatal" || kind === "invalid-token" || attempt >= deps.retry.maxAttempts || deps.stopped()) throw error;
      const ceiling = Math.min(deps.retry.maxDelayMs, deps.retry.baseDelayMs * 2 ** (attempt - 1));
      await sleep(ceiling * deps.random(), undefined, { ref: priority === "demand" }); // a waiting caller keeps the process alive
    }
  }
}

/**
 * STS refused this role to another replica sharing the budget, within `negativeTtlMs`: the same refusal
 * here, without an STS call. Only the code crosses Redis; the words are this replica's own.
 */
function fleetRefusal(entry: RoleEntry, code: string): Error {
  const cause = Object.assign(new Error(`${code} (STS's answer to another replica of this service)`), { name: code });
  const { role, externalId } = entry.request;
  return credentialsError(
    `Assume role (${role.arn}): STS refused AssumeRole with ${code} to another replica sharing this STS budget, moments ago; not asked again. ` +
      `Check the role's trust policy (the principal, and its sts:ExternalId condition${externalId === undefined ? "" : ` against "${externalId}"`}) and the request.`,
    { tryNextLink: false, cause },
  );
}
