/**
 * Terminal styling: ANSI colours only when writing to a terminal and `NO_COLOR` is not set
 * (https://no-color.org), so piped output, CI logs and `--json` stay plain.
 */
import type { EnvVars } from "../shared/env.js";
import type { CliStream } from "./io.js";

export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const wrap =
  (enabled: boolean, open: number, close: number) =>
  (text: string): string =>
    enabled && text !== "" ? `\u001b[${open}m${text}\u001b[${close}m` : text;

/** A style with colours on or off. */
export function makeStyle(enabled: boolean): Style {
  return {
    enabled,
    bold: wrap(enabled, 1, 22),
    dim: wrap(enabled, 2, 22),
    red: wrap(enabled, 31, 39),
    green: wrap(enabled, 32, 39),
    yellow: wrap(enabled, 33, 39),
    cyan: wrap(enabled, 36, 39),
  };
}

/**
 * Whether to colour `stream`: a TTY, `NO_COLOR` unset or empty, and `TERM` not `dumb`.
 *
 * @example
 * ```ts
 * const style = styleFor(process.stdout, process.env);
 * console.log(style.green("✓ ok"));
 * ```
 */
export function styleFor(stream: CliStream, env: EnvVars): Style {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  return makeStyle(stream.isTTY === true && !noColor && env.TERM !== "dumb");
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** `text` without ANSI escape sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

/** Columns `text` takes on a terminal (escape sequences take none). */
export function visibleWidth(text: string): number {
  return [...stripAnsi(text)].length;
}
