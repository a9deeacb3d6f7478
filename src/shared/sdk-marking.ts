/**
 * Why this exists: an SDK v3 client normalizes `credentials` when it is set (see `@aws-sdk/core`,
 * `resolveAwsSdkSigV4Config`). Unless the function says `memoized === true` it is wrapped in
 * `memoizeIdentityProvider`, which caches the answer and refreshes *inline* within 5 minutes of expiry —
 * exactly the waiting this library removes, and it would also hide a swap until the cached answer ages
 * out. Unless `configBound === true` and `attributed === true` it gets two more async wrappers per call.
 * Marking the provider skips all three, so each request calls it and sees the current credentials.
 */

/** The properties SDK v3 clients look at when they are handed a credential provider. */
export interface SdkProviderMarks {
  memoized: boolean;
  configBound: boolean;
  attributed: boolean;
}

/**
 * Marks a provider so SDK v3 clients call it on every request instead of caching its answer. Only for
 * providers that are cheap per call and refresh on their own. The properties stay writable: the SDK
 * assigns `memoized = true` to the function it is given, which must not throw in strict mode.
 *
 * @example
 * ```ts
 * const provider = markForSdk(async () => cachedCredentials);
 * const client = new STSClient({ credentials: provider }); // no SDK memoization around it
 * ```
 */
export function markForSdk<F extends object>(provider: F): F & SdkProviderMarks {
  const marked = provider as F & SdkProviderMarks;
  marked.memoized = true;
  marked.configBound = true;
  marked.attributed = true;
  return marked;
}
