/**
 * The swapper face of the engine: each cycle builds a whole new provider (fresh STS client, sockets,
 * configuration), resolves it, and only then swaps it in. Same engine as the refresher; only what an
 * attempt does differs.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { disposeProvider } from "./dispose.js";
import { RefreshEngine, type Acquire } from "./engine.js";
import { describeError } from "./errors.js";
import { resolveEngineOptions } from "./options.js";
import { makeRefreshingProvider } from "./provider.js";
import type { ProviderFactory, Swapper, SwapperOptions } from "./types.js";
import { credentialsTelemetry } from "../telemetry/credentials.js";
import { sourceKindOf } from "../telemetry/source-kind.js";
import { staticallyStableKind } from "./rejection-rules.js";

/**
 * Keeps a whole provider fresh: at creation and then on the refresher's schedule (before expiry, with
 * jitter; or every `period`), calls `factory()` for a new provider, resolves it with
 * `{ forceRefresh: true }` and only then swaps it in, atomically with its credentials. A failed build or
 * resolution keeps the previous provider and is retried with backoff. A provider swapped out (or held at
 * `stop()`) is disposed if it has `[Symbol.dispose]`, `stop()` or `[Symbol.asyncDispose]`.
 *
 * Use it when the provider itself must be renewed — a fresh STS client and sockets, re-read configuration
 * — or to re-point SDK clients built elsewhere with `attach(client)`. Everything else about it (`ready`,
 * `status()`, events, SDK marking, errors after expiry) is as for {@link createRefresher}.
 *
 * @param factory - returns (or resolves to) a new credential provider each time it is called.
 * @param options - see {@link RefreshOptions}; `period` is handy to rebuild on a fixed cadence.
 *
 * @example
 * ```ts
 * import { createSwapper, fromEnvGatedChain } from "awscreds";
 *
 * const credentials = createSwapper(() => fromEnvGatedChain(), { period: 6 * 3_600_000 });
 * const sqs = credentials.attach(someLibrary.sqsClient); // its next request uses the swapper
 * await credentials.swap(); // rebuild now, e.g. after a config change
 * ```
 */
export function createSwapper(factory: ProviderFactory, options: SwapperOptions = {}): Swapper {
  if (typeof factory !== "function") throw new TypeError("createSwapper: factory must be a function returning a credential provider");
  const engineOptions = resolveEngineOptions(options, "awscreds swapper");
  const { name, logger } = engineOptions;
  let current: AwsCredentialIdentityProvider | undefined;

  // `unknown`: disposeProvider ignores what is not a provider (no previous one, nothing current at stop).
  const release = (provider: unknown): void =>
    disposeProvider(provider, (error) => {
      try {
        logger.warn(`${name}: disposing a provider failed: ${describeError(error)}`);
      } catch {
        // A broken logger must not break the swap.
      }
    });

  /** One cycle: build (unless given), resolve, and hand the engine a commit that swaps atomically. */
  const acquireFrom =
    (given?: AwsCredentialIdentityProvider): Acquire =>
    async (identityProperties) => {
      const next: unknown = given ?? (await factory());
      if (typeof next !== "function") throw new TypeError(`${name}: the factory returned ${next === null ? "null" : typeof next}, not a credential provider function`);
      const provider = next as AwsCredentialIdentityProvider;
      // Providers the swapper built are its own to dispose; one handed to swap() is the caller's until swapped in.
      const owned = given === undefined;
      let credentials: AwsCredentialIdentity;
      try {
        credentials = await provider({ ...identityProperties, forceRefresh: true });
      } catch (error) {
        if (owned && provider !== current) release(provider);
        throw error;
      }
      return {
        credentials,
        commit: () => {
          const previous = current;
          current = provider;
          if (previous !== provider) release(previous);
        },
        abandon: () => {
          if (owned && provider !== current) release(provider);
        },
      };
    };

  // The factory's kind of provider is known once one is built: `custom` until then.
  const telemetry = credentialsTelemetry(options.telemetry, { provider: name, source: "custom" });
  const engine = new RefreshEngine(acquireFrom(), {
    ...engineOptions,
    telemetry,
    onCommitted: telemetry && (() => telemetry.setSource(sourceKindOf(current))),
    // The provider swapped in decides: an instance role keeps serving through an IMDS outage.
    staticStability: () => staticallyStableKind(sourceKindOf(current)),
    onStop: () => release(current),
  });
  const swapper = makeRefreshingProvider(engine, () => current, name) as Swapper;
  Object.defineProperty(swapper, "current", { get: () => current, enumerable: true });
  swapper.swap = (next?: AwsCredentialIdentityProvider) => {
    if (next === undefined) return engine.refresh();
    if (typeof next !== "function") return Promise.reject(new TypeError(`${name}: swap() takes a credential provider function`));
    return engine.refresh(acquireFrom(next));
  };
  engine.start();
  return swapper;
}
