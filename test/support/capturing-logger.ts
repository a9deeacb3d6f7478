import type { Logger } from "../../src/shared/logger.js";

/** A logger that records every message, to assert on levels and on the absence of secrets. */
export function capturingLogger(): Logger & { lines: { level: string; text: string }[] } {
  const lines: { level: string; text: string }[] = [];
  const record =
    (level: string) =>
    (...content: unknown[]): void => {
      lines.push({ level, text: content.map(String).join(" ") });
    };
  return { lines, debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") };
}
