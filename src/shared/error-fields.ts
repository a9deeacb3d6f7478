/**
 * Fields read off SDK errors by more than one classifier. Pure; nothing here depends on the SDK, so
 * errors from two copies of a client (or hand-made ones in tests) read the same.
 */

/**
 * The HTTP status of an SDK service error (`$metadata.httpStatusCode`), if the call got that far.
 *
 * @example
 * ```ts
 * httpStatusOf(Object.assign(new Error("slow down"), { $metadata: { httpStatusCode: 429 } })); // 429
 * httpStatusOf(new Error("socket hang up")); // undefined
 * ```
 */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const status = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
  return typeof status === "number" ? status : undefined;
}
