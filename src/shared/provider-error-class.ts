/**
 * The class of every error awscreds' sources throw: the SDK's `CredentialsProviderError` (from
 * `@smithy/property-provider`), whose `tryNextLink` is how a chain skips a source.
 *
 * Loaded on the first error, not when awscreds is imported: the package pulls in much of `@smithy/core`
 * (~19 ms), which a local-mode process with its keys set never needs. It is the package's own class
 * (`require` loads the same files as the user's import), so `instanceof CredentialsProviderError` holds.
 */
import type * as PropertyProvider from "@smithy/property-provider";
import type { CredentialsProviderError } from "@smithy/property-provider";
import { canRequire, lazyRequire } from "./lazy-require.js";
import type { Logger } from "./logger.js";

const SPECIFIER = "@smithy/property-provider";

/** What awscreds needs of the class: the constructor as the SDK's providers call it. */
export type ProviderErrorClass = new (message: string, options: { tryNextLink: boolean; logger?: Logger | undefined }) => CredentialsProviderError;

let loaded: ProviderErrorClass | undefined;

/**
 * Stands in only when awscreds was bundled without the package resolvable beside the bundle, and an error
 * is thrown before the bundled copy has loaded (synchronously, in the very tick awscreds was imported).
 * Same name, message and `tryNextLink`, so SDK chains treat it alike; only `instanceof` differs.
 */
class StandInCredentialsProviderError extends Error {
  override readonly name = "CredentialsProviderError";
  readonly tryNextLink: boolean;

  constructor(message: string, options: { tryNextLink: boolean; logger?: Logger | undefined }) {
    super(message);
    this.tryNextLink = options.tryNextLink;
    options.logger?.debug?.(`@smithy/property-provider ${options.tryNextLink ? "->" : "(!)"} ${message}`);
  }
}

// Bundled (esbuild, webpack…): the package can only come from the bundle, through this literal import(),
// which a bundler follows. Started now, so it has loaded before any provider call (always asynchronous)
// can fail. Unbundled, this only resolves the name (a few stats) and loads nothing.
if (!canRequire(SPECIFIER)) {
  void import("@smithy/property-provider").then(
    (module) => {
      loaded ??= module.CredentialsProviderError;
    },
    () => undefined,
  );
}

/**
 * The `CredentialsProviderError` class, loaded on first use.
 *
 * @example
 * ```ts
 * const ProviderError = providerErrorClass();
 * throw new ProviderError("Web identity is not configured.", { tryNextLink: true });
 * ```
 */
export function providerErrorClass(): ProviderErrorClass {
  if (loaded) return loaded;
  if (!canRequire(SPECIFIER)) return StandInCredentialsProviderError as unknown as ProviderErrorClass;
  loaded = lazyRequire<typeof PropertyProvider>(SPECIFIER).CredentialsProviderError;
  return loaded;
}
