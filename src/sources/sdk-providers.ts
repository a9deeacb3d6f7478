/**
 * The SDK's `@aws-sdk/credential-providers` (container, instance metadata, shared files), loaded on the
 * first call of a source that uses it, never by importing awscreds.
 */
import type * as CredentialProviders from "@aws-sdk/credential-providers";
import { requireOrImport } from "../shared/lazy-require.js";

/**
 * Loads `@aws-sdk/credential-providers` (with `require`, see `requireOrImport`).
 *
 * @example
 * ```ts
 * const { fromHttp } = await loadSdkProviders();
 * ```
 */
export function loadSdkProviders(): Promise<typeof CredentialProviders> {
  return requireOrImport<typeof CredentialProviders>("@aws-sdk/credential-providers", () => import("@aws-sdk/credential-providers"));
}
