/**
 * The shape both faces share: a plain provider function whose lifecycle hangs off it as properties,
 * marked so SDK v3 clients call it on every request.
 */
import type { SafeCredentials } from "../shared/safe-credentials.js";
import type { RefreshEngine } from "./engine.js";
import { markForSdk } from "../shared/sdk-marking.js";
import { attachProvider } from "./rejection-middleware.js";
import { CLOCK_OFFSET } from "./rejection-target.js";
import type { StsFailoverStatus } from "../sts/failover.js";
import type { RefreshingProvider, RefreshStatus } from "./types.js";
import type { AttachableClient } from "./rejection-middleware.js";
import type { CredentialRejection } from "./rejection-target.js";

/** A source with a regional STS transport reports its endpoints; anything else adds nothing. */
function withSts(status: RefreshStatus, source: unknown): RefreshStatus {
  const report = (source as { stsStatus?: unknown } | undefined)?.stsStatus;
  if (typeof report !== "function") return status;
  try {
    const sts = (report as () => StsFailoverStatus | undefined).call(source);
    return sts === undefined ? status : { ...status, sts };
  } catch {
    return status; // A status read never throws.
  }
}

/** A source that says whose credentials it gives (the env-gated chain's `identity()`) adds that. */
function withIdentity(status: RefreshStatus, source: unknown): RefreshStatus {
  const report = (source as { identity?: unknown } | undefined)?.identity;
  if (typeof report !== "function") return status;
  try {
    const identity: unknown = report.call(source);
    return typeof identity === "string" ? { ...status, identity } : status;
  } catch {
    return status;
  }
}

/**
 * Wraps an engine in a provider function with `ready`, `status()`, `refresh()`, `invalidate()`, `attach()`,
 * `stop()` and `[Symbol.dispose]()`. `source()` gives the provider currently behind it, whose `stsStatus()` and
 * `identity()` (if any) `status()` includes.
 *
 * @example
 * ```ts
 * const provider = makeRefreshingProvider(engine, () => source, "orders refresher");
 * ```
 */
export function makeRefreshingProvider(engine: RefreshEngine, source: () => unknown, name: string): RefreshingProvider {
  // Not `async`: the hot path hands back the engine's cached, already-resolved promise as is.
  const provider = (identityProperties?: Record<string, unknown>): Promise<SafeCredentials> =>
    identityProperties?.forceRefresh === true ? engine.refresh(undefined, identityProperties) : engine.get(identityProperties);
  const stop = (): void => engine.stop();
  Object.assign(provider, {
    ready: engine.ready,
    status: () => withIdentity(withSts(engine.status(), source()), source()),
    refresh: () => engine.refresh(),
    invalidate: (accessKeyId?: string, rejection?: CredentialRejection) => engine.invalidate(accessKeyId, rejection),
    attach: <C extends AttachableClient>(client: C): C => attachProvider(client, provider, name),
    [CLOCK_OFFSET]: (offsetMs: number) => engine.noteClockOffset(offsetMs),
    stop,
    [Symbol.dispose]: stop,
  });
  return markForSdk(provider) as RefreshingProvider;
}
