/**
 * Pure rules of the rejection and expiry handling: how wide the mandatory window is for given
 * credentials, and the bounded memory of rejected access key ids.
 */

/** The default mandatory window: what the AWS SDKs' shared refresh behaviour uses. */
export const DEFAULT_MANDATORY_WINDOW_MS = 60_000;

/**
 * The default for `rejectionRefreshIntervalMs`. 30 s: long enough that a process whose every new
 * credentials are rejected (a clock far off, a role whose sessions are all revoked) adds at most two
 * STS calls a minute — a fleet of 1,000 such processes ~33 calls/s, far below STS's 600/s per account and
 * region — and short enough that a second, unrelated rejection (a revocation right after a refresh) is
 * recovered within half a minute.
 */
export const DEFAULT_REJECTION_REFRESH_INTERVAL_MS = 30_000;

/** The mandatory window never takes more than this share of the lifetime (short-lived credentials, tests). */
export const MANDATORY_WINDOW_MAX_FRACTION = 0.1;

/** How many rejected access key ids a provider remembers (only the latest matter). */
export const REJECTED_KEYS_KEPT = 16;

/**
 * The mandatory window for credentials that live `lifetimeMs` more when they arrive: `windowMs`, but at
 * most a tenth of the lifetime, so short-lived credentials (seconds, in tests) are still served most of it.
 *
 * @example
 * ```ts
 * mandatoryWindowFor(3_600_000, 60_000); // 60_000
 * mandatoryWindowFor(4_000, 60_000);     // 400
 * ```
 */
export function mandatoryWindowFor(lifetimeMs: number, windowMs: number): number {
  if (!(lifetimeMs > 0)) return 0;
  return Math.min(windowMs, lifetimeMs * MANDATORY_WINDOW_MAX_FRACTION);
}

/**
 * Adds an access key id to a bounded list (oldest dropped first). Mutates `keys`.
 *
 * @example
 * ```ts
 * const keys: string[] = [];
 * rememberRejectedKey(keys, "ASIA…"); // keys = ["ASIA…"]
 * ```
 */
export function rememberRejectedKey(keys: string[], accessKeyId: string): void {
  if (keys.includes(accessKeyId)) return;
  keys.push(accessKeyId);
  if (keys.length > REJECTED_KEYS_KEPT) keys.shift();
}

/**
 * Sources whose credentials are served past expiry while they cannot be renewed (static stability): the
 * instance role, as the SDK's IMDS provider does. Not the container endpoint, web identity or assume role:
 * their credentials are STS role sessions, which AWS rejects once expired.
 */
const STATIC_STABILITY_KINDS: ReadonlySet<string> = new Set(["instance-metadata"]);

/**
 * Whether credentials of a source of this kind (`sourceKindOf`) may be served past their expiry.
 *
 * @example
 * ```ts
 * staticallyStableKind("instance-metadata"); // true
 * staticallyStableKind("web-identity");      // false
 * ```
 */
export function staticallyStableKind(kind: string): boolean {
  return STATIC_STABILITY_KINDS.has(kind);
}
