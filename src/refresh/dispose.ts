/**
 * Releasing a provider the swapper no longer uses: its timers (a refresher), its sockets (whatever it
 * exposes). Providers without a disposal method are simply dropped for the garbage collector.
 */

/**
 * Calls `[Symbol.dispose]()`, else `stop()`, else `[Symbol.asyncDispose]()` on `provider`, if it has one.
 * Never throws and never leaves a rejected promise unhandled; failures go to `onError`.
 *
 * @example
 * ```ts
 * disposeProvider(oldProvider, (error) => logger.warn(`dispose failed: ${String(error)}`));
 * ```
 */
export function disposeProvider(provider: unknown, onError: (error: unknown) => void): void {
  if ((typeof provider !== "function" && typeof provider !== "object") || provider === null) return;
  const p = provider as { [Symbol.dispose]?: unknown; [Symbol.asyncDispose]?: unknown; stop?: unknown };
  try {
    let result: unknown;
    if (typeof p[Symbol.dispose] === "function") result = (p[Symbol.dispose] as () => unknown).call(p);
    else if (typeof p.stop === "function") result = (p.stop as () => unknown).call(p);
    else if (typeof p[Symbol.asyncDispose] === "function") result = (p[Symbol.asyncDispose] as () => unknown).call(p);
    if (result instanceof Promise) result.catch(onError);
  } catch (error) {
    onError(error);
  }
}
