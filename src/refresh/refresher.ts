/**
 * The refresher face of the engine: one source, fetched again in the background before expiry.
 */
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { RefreshEngine } from "./engine.js";
import { resolveEngineOptions } from "./options.js";
import { makeRefreshingProvider } from "./provider.js";
import type { RefreshOptions, Refresher } from "./types.js";
import { credentialsTelemetry } from "../telemetry/credentials.js";
import { sourceKindOf } from "../telemetry/source-kind.js";
import { staticallyStableKind } from "./rejection-rules.js";

/**
 * Wraps a credential source so that no request waits for it once the first fetch is done: it fetches
 * at once (prefetch), refreshes in the background before expiry (with jitter), shares one fetch among
 * concurrent callers, keeps serving valid credentials while refreshes fail (retrying with backoff) and
 * only fails callers after expiry, with a {@link CredentialsExpiredError} that says why.
 *
 * The source is called as `source({ ...identityProperties, forceRefresh: true })`, so a memoizing source
 * (such as the SDK's `fromTokenFile`) really fetches, and with the most recent caller's identity
 * properties (an SDK client passes its config there, which SDK providers read the region from); the
 * prefetch, before any caller, passes none. Credentials are returned as `SafeCredentials` (secrets hidden from
 * logs). Timers are unref'd: the process exits when its work is done, whether or not `stop()` is called.
 *
 * With `@opentelemetry/api` installed it reports each attempt (span and duration, with reason and outcome),
 * the time to expiry and the resolutions served while degraded, named after `name` (see
 * {@link RefreshOptions.telemetry}; `telemetry: false` turns it off).
 *
 * @param source - any credential provider function.
 * @param options - see {@link RefreshOptions}.
 *
 * @example
 * ```ts
 * import { fromTokenFile } from "@aws-sdk/credential-providers";
 * import { SQSClient } from "@aws-sdk/client-sqs";
 * import { createRefresher } from "awscreds";
 *
 * const credentials = createRefresher(fromTokenFile(), { logger: console, name: "orders" }); // awscreds.provider="orders"
 * await credentials.ready; // optional: fail fast at startup
 * const sqs = new SQSClient({ credentials });
 * app.get("/ready", (_req, res) => {
 *   const status = credentials.status();
 *   res.status(status.state === "ready" || status.state === "degraded" ? 200 : 503).json(status);
 * });
 * ```
 */
export function createRefresher(source: AwsCredentialIdentityProvider, options: RefreshOptions = {}): Refresher {
  if (typeof source !== "function") throw new TypeError("createRefresher: source must be a credential provider function");
  const engineOptions = resolveEngineOptions(options, "awscreds refresher");
  const telemetry = credentialsTelemetry(options.telemetry, { provider: engineOptions.name, source: sourceKindOf(source) });
  const engine = new RefreshEngine(async (identityProperties) => ({ credentials: await source({ ...identityProperties, forceRefresh: true }) }), {
    ...engineOptions,
    telemetry,
    // A chain reports the source it settled on once it has.
    onCommitted: telemetry && (() => telemetry.setSource(sourceKindOf(source))),
    // Read at expiry: a chain knows its source once it has settled on one.
    staticStability: () => staticallyStableKind(sourceKindOf(source)),
  });
  const refresher = makeRefreshingProvider(engine, () => source, engineOptions.name);
  engine.start();
  return refresher;
}
