/**
 * The logger the deployed chain hands its sources. A source's error that stops the chain (`tryNextLink:
 * false`) is logged by the SDK's `CredentialsProviderError` constructor when it is built, and again when
 * the chain wraps it with its own context: the same long message twice. Here the source's copy is dropped,
 * so the chain's (which repeats it, with where and why) is the one line in the log. Everything else
 * (warnings, "->" lines of sources that are simply not configured) passes through.
 */
import type { Logger } from "../shared/logger.js";

/** What the SDK's error constructor prefixes a stopping error's debug line with. */
const STOPPING_ERROR = "@smithy/property-provider (!)";

/**
 * `logger` without the debug lines of stopping source errors.
 *
 * @example
 * ```ts
 * const sourceLogger = chainSourceLogger(console);
 * sourceLogger.debug("@smithy/property-provider (!) …"); // dropped: the chain logs its own copy
 * ```
 */
export function chainSourceLogger(logger: Logger): Logger {
  return {
    debug: (...content: unknown[]) => {
      if (typeof content[0] === "string" && content[0].startsWith(STOPPING_ERROR)) return;
      logger.debug(...content);
    },
    info: (...content: unknown[]) => logger.info(...content),
    warn: (...content: unknown[]) => logger.warn(...content),
    error: (...content: unknown[]) => logger.error(...content),
  };
}
