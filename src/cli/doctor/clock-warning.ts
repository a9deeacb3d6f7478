/**
 * The warning for a clock AWS would not accept. Pure.
 */
import { formatMs } from "../time-format.js";
import type { ClockReport, Warning } from "./report.js";

/**
 * `clock-skew`: what is wrong and what to do.
 *
 * @example
 * ```ts
 * clockSkewWarning({ offsetMs: 600_000, uncertaintyMs: 600, measuredAgainst: "…", sdkSystemClockOffsetMs: 0, skewed: true }).code; // "clock-skew"
 * ```
 */
export function clockSkewWarning(clock: ClockReport): Warning {
  const direction = clock.offsetMs > 0 ? "behind" : "ahead of";
  return {
    code: "clock-skew",
    message:
      `This machine's clock is ${formatMs(Math.abs(clock.offsetMs))} ${direction} STS's (± ${formatMs(clock.uncertaintyMs)}, ${clock.measuredAgainst}). ` +
      `AWS rejects requests signed more than 5 minutes off (SignatureDoesNotMatch, RequestTimeTooSkewed, InvalidSignatureException) ` +
      `and judges credential expiry by its own clock. SDK clients correct their offset only after a rejected request. ` +
      `Synchronize the clock (chrony or systemd-timesyncd against the Amazon Time Sync Service, 169.254.169.123 on EC2).`,
  };
}
