import type { CredentialsProviderError } from "@smithy/property-provider";
import type { Logger } from "./logger.js";
import { redactError, redactText } from "./redact-error.js";
import { providerErrorClass } from "./provider-error-class.js";

/**
 * Builds the SDK's `CredentialsProviderError`. `tryNextLink: true` means "this source is not configured
 * here, ask the next one"; `false` means "this source is configured and failed: stop", so a chain never
 * quietly falls through to another identity.
 *
 * The `cause` is kept only in a form safe to print (see `redactError`): `util.inspect` shows the whole
 * chain, and an SDK error carries the raw HTTP response; `secrets` (e.g. the web identity token) are
 * masked wherever the message or the cause repeats them.
 *
 * The class is loaded by the first call, not by importing awscreds (see `providerErrorClass`).
 */
export function credentialsError(
  message: string,
  init: { tryNextLink: boolean; logger?: Logger | undefined; cause?: unknown; secrets?: readonly (string | undefined)[] },
): CredentialsProviderError {
  const ProviderError = providerErrorClass();
  // The message often quotes another error's: masked like the cause (secret-shaped strings included).
  const error = new ProviderError(redactText(message, init.secrets ?? []), { tryNextLink: init.tryNextLink, logger: init.logger });
  if (init.cause !== undefined) {
    const cause = redactError(init.cause, init.secrets);
    Object.defineProperty(error, "cause", { value: cause, enumerable: false, writable: true, configurable: true });
  }
  return error;
}

/** The message of anything thrown, for embedding in a human-readable error. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** `tryNextLink` of an SDK provider error (`undefined` when it is not one). */
export function tryNextLinkOf(error: unknown): boolean | undefined {
  if (typeof error === "object" && error !== null && "tryNextLink" in error) {
    return Boolean((error as { tryNextLink: unknown }).tryNextLink);
  }
  return undefined;
}
