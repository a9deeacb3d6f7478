/**
 * What a provider that can be told "AWS rejected these credentials" looks like, and how a client's
 * `credentials` is traced back to one. Duck-typed, so two copies of awscreds in one tree still cooperate,
 * and a wrapper (the long-polling client's live view of its base client's provider) can forward.
 */

/** What AWS answered, as the client that saw it knows it. */
export interface CredentialRejection {
  /** The error code AWS answered with (`ExpiredToken`, `InvalidClientTokenId`, …). */
  code?: string;
  /** The clock offset the SDK client measured against AWS (`config.systemClockOffset`, ms), if any. */
  clockOffsetMs?: number;
}

/** What an invalidation did (what `invalidate()` resolves to). */
export interface InvalidationResult {
  /** Credentials other than the invalidated ones are held now: a request signed again uses them. */
  replaced: boolean;
  /** Whether this invalidation fetched (false: newer credentials were already held, a fetch was joined, or the rate limit held it back). */
  fetched: boolean;
  /** When nothing replaced them: why, in words fit for an error message (secret-free). */
  reason?: string;
}

/** A provider that can invalidate the credentials it hands out. */
export interface RejectionTarget {
  invalidate(accessKeyId?: string, rejection?: CredentialRejection): Promise<InvalidationResult>;
}

/** Optional: a provider that judges expiry on AWS's clock takes the offset a client measured. */
export const CLOCK_OFFSET: unique symbol = Symbol.for("awscreds.clockOffset");

/** A rejection target that may also take clock offsets. */
export type RejectionTargetWithClock = RejectionTarget & { [CLOCK_OFFSET]?: (offsetMs: number) => void };

/**
 * The provider behind a client's `credentials` that can invalidate what it handed out, if it is one.
 *
 * @example
 * ```ts
 * rejectionTargetOf(createRefresher(source)); // the refresher
 * rejectionTargetOf(fromTokenFile());          // undefined: the SDK's providers cannot be invalidated
 * ```
 */
export function rejectionTargetOf(credentials: unknown): RejectionTargetWithClock | undefined {
  if (typeof credentials !== "function" && (typeof credentials !== "object" || credentials === null)) return undefined;
  return typeof (credentials as { invalidate?: unknown }).invalidate === "function" ? (credentials as RejectionTargetWithClock) : undefined;
}

/**
 * Makes `wrapper` (a provider that delegates to another one read live, such as the long-polling
 * client's view of its base client's credentials) forward invalidations and clock offsets to it.
 *
 * @example
 * ```ts
 * const view = markForSdk((props) => base.config.credentials(props));
 * forwardRejections(view, () => base.config.credentials);
 * ```
 */
export function forwardRejections<F extends object>(wrapper: F, inner: () => unknown): F & RejectionTargetWithClock {
  const forwarding = wrapper as F & RejectionTargetWithClock;
  forwarding.invalidate = (accessKeyId, rejection) => {
    const target = rejectionTargetOf(inner());
    if (target === undefined) return Promise.resolve({ replaced: false, fetched: false, reason: "the client's credentials provider cannot be invalidated" });
    return target.invalidate(accessKeyId, rejection);
  };
  forwarding[CLOCK_OFFSET] = (offsetMs) => rejectionTargetOf(inner())?.[CLOCK_OFFSET]?.(offsetMs);
  return forwarding;
}
