/**
 * The shape both faces share: a plain provider function whose lifecycle hangs off it as properties,
 * marked so SDK v3 clients call it on every request.
 */
import type { SafeCredentials } from "../shared/safe-credentials.js";
import type { RefreshEngine } from "./engine.js";
import { markForSdk } from "./sdk-marking.js";
import type { RefreshingProvider } from "./types.js";

/**
 * Wraps an engine in a provider function with `ready`, `status()`, `refresh()`, `stop()` and
 * `[Symbol.dispose]()`.
 *
 * @example
 * ```ts
 * const provider = makeRefreshingProvider(engine);
 * ```
 */
export function makeRefreshingProvider(engine: RefreshEngine): RefreshingProvider {
  // Not `async`: the hot path hands back the engine's cached, already-resolved promise as is.
  const provider = (identityProperties?: Record<string, unknown>): Promise<SafeCredentials> =>
    identityProperties?.forceRefresh === true ? engine.refresh(undefined, identityProperties) : engine.get(identityProperties);
  const stop = (): void => engine.stop();
  Object.assign(provider, {
    ready: engine.ready,
    status: () => engine.status(),
    refresh: () => engine.refresh(),
    stop,
    [Symbol.dispose]: stop,
  });
  return markForSdk(provider) as RefreshingProvider;
}
