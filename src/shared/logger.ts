import type { Logger as SdkLogger } from "@smithy/types";

/** A logger compatible with the AWS SDK's (`console` works, as do pino and winston). */
export type Logger = Pick<SdkLogger, "debug" | "info" | "warn" | "error">;

/** Logs nothing: the default, so a library never writes to stdout uninvited. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
