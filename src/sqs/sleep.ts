/**
 * Waits `ms`, or less if `signal` aborts (then it resolves early rather than rejecting, so a stopping
 * loop just falls through to its exit check).
 *
 * @example
 * ```ts
 * await sleep(1_000, controller.signal);
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal, options: { unref?: boolean } = {}): Promise<void> {
  if (signal?.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    if (options.unref) timer.unref();
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
