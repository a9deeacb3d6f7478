/**
 * Loading the packages awscreds needs only on some paths (the STS client, the SDK's container/IMDS/ini
 * providers, `CredentialsProviderError`) when they are needed, so importing awscreds in local mode loads
 * none of them.
 *
 * Why `require` and not `import()`: these packages are CommonJS (`main`, no `exports` map, or an
 * `exports` map whose `node` condition is CommonJS). `import()` of them goes through Node's ESM loader and
 * cjs-module-lexer, which made the first web identity fetch 30–40 ms slower than the SDK's own (bench
 * scenario 5); `require` loads the very same files, so classes are shared with the user's own imports
 * (`instanceof CredentialsProviderError` holds). It also lets an error be built synchronously.
 *
 * Why an `import()` fallback as well: a bundler (esbuild, webpack, Rollup) cannot see what a
 * `createRequire` require loads, but it does follow a literal `import("…")`. When awscreds is bundled, the
 * package is usually not resolvable from the bundle's location; the fallback then loads the bundled copy.
 */
import { createRequire } from "node:module";

let cached: NodeJS.Require | undefined;
const resolvable = new Map<string, boolean>();

function moduleRequire(): NodeJS.Require {
  // The CJS build has __filename; the ESM build (and src/ under tsx or vitest) has import.meta.url.
  // Checking __filename first keeps the CJS build independent of how the bundler rewrites import.meta.
  cached ??= createRequire(typeof __filename === "string" ? __filename : import.meta.url);
  return cached;
}

/**
 * Whether `specifier` can be required from awscreds' own location (false when awscreds was bundled and
 * the package was not shipped beside the bundle). Resolves only (a few `stat`s); loads nothing.
 *
 * @example
 * ```ts
 * if (!canRequire("@smithy/property-provider")) void import("@smithy/property-provider");
 * ```
 */
export function canRequire(specifier: string): boolean {
  let known = resolvable.get(specifier);
  if (known === undefined) {
    try {
      moduleRequire().resolve(specifier);
      known = true;
    } catch {
      known = false;
    }
    resolvable.set(specifier, known);
  }
  return known;
}

/**
 * Loads a CommonJS package now, from awscreds' own location. Type it with a type-only import, which costs
 * nothing at run time.
 *
 * @example
 * ```ts
 * import type * as Sts from "@aws-sdk/client-sts";
 * const { STSClient } = lazyRequire<typeof Sts>("@aws-sdk/client-sts");
 * ```
 */
export function lazyRequire<Module>(specifier: string): Module {
  return moduleRequire()(specifier) as Module;
}

/**
 * `require`s the package when it is resolvable from awscreds' location, else runs `bundled` — which must
 * be a literal `import("…")` of the same package, so that a bundler includes it.
 *
 * @example
 * ```ts
 * const { fromHttp } = await requireOrImport<typeof CredentialProviders>(
 *   "@aws-sdk/credential-providers",
 *   () => import("@aws-sdk/credential-providers"),
 * );
 * ```
 */
export async function requireOrImport<Module>(specifier: string, bundled: () => Promise<Module>): Promise<Module> {
  return canRequire(specifier) ? lazyRequire<Module>(specifier) : await bundled();
}
