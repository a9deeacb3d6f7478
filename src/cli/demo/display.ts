/**
 * What the demo shows: a live status (redrawn in place on a terminal, periodic plain lines otherwise)
 * and the closing summary table.
 */
import { formatColumns } from "../layout.js";
import type { Style } from "../style.js";
import { formatMs } from "../time-format.js";
import { share } from "./stats.js";
import type { SideSnapshot } from "./side.js";

/**
 * One status line of a side: refreshes, requests, requests that waited on STS, p99.
 *
 * @example
 * ```ts
 * statusLine(side.snapshot(), makeStyle(false), 11);
 * // "awscreds     refreshes 3 · requests 150 · waited on STS 0 · p99 14 ms · consumed 150"
 * ```
 */
export function statusLine(side: SideSnapshot, style: Style, nameWidth: number): string {
  const waited = side.waitedOnSts > 0 ? style.yellow(String(side.waitedOnSts)) : style.green("0");
  const failed = side.failed > 0 ? ` · ${style.red(`${side.failed} failed`)}` : "";
  const stsErrors = side.stsFailedCalls > 0 ? ` · STS calls failed ${side.stsFailedCalls}` : "";
  return (
    `${style.bold(side.name.padEnd(nameWidth))}  refreshes ${Math.max(0, side.stsCalls - 1)} · requests ${side.requests} · ` +
    `waited on STS ${waited} · p99 ${formatMs(side.requestP99Ms)} · consumed ${side.consumed}${failed}${stsErrors}`
  );
}

/**
 * Redraws a block of lines in place on a terminal (cursor up, clear line), cut to the terminal width so
 * a wrapped line cannot break the redraw.
 *
 * @example
 * ```ts
 * const live = new LiveBlock((text) => process.stdout.write(text), process.stdout.columns);
 * live.draw(["line 1", "line 2"]); // later draws overwrite these two lines
 * ```
 */
export class LiveBlock {
  #lines = 0;
  constructor(
    private readonly write: (text: string) => void,
    private readonly columns: number,
  ) {}

  draw(lines: readonly string[]): void {
    const up = this.#lines > 0 ? `\u001b[${this.#lines}A` : "";
    const body = lines.map((line) => `\r\u001b[2K${truncateVisible(line, this.columns - 1)}`).join("\n");
    this.write(`${up}${body}\n`);
    this.#lines = lines.length;
  }
}

/** Cuts `line` to `max` visible characters, keeping ANSI sequences intact and resetting styles at the end. */
function truncateVisible(line: string, max: number): string {
  let visible = 0;
  let out = "";
  // eslint-disable-next-line no-control-regex
  for (const part of line.split(/(\u001b\[[0-9;]*[A-Za-z])/)) {
    if (part.startsWith("\u001b[")) {
      out += part;
      continue;
    }
    for (const ch of part) {
      if (visible >= max) return `${out}\u001b[0m`;
      out += ch;
      visible += 1;
    }
  }
  return out;
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

export interface SummaryContext {
  durationMs: number;
  stsLatencyMs: number;
  lifetimeSeconds: number;
  ratePerSecond: number;
  waitThresholdMs: number;
  /** How long STS was down at the end of the run (0: no outage). */
  outageMs: number;
}

/**
 * The closing table, the sides in columns under their names, a legend saying what each side runs, and a
 * verdict per side: what its requests waited for, and what it did while STS was down.
 *
 * @example
 * ```ts
 * io.stdout.write(renderSummary([awscreds.snapshot(), tokenFile.snapshot(), chain.snapshot()], context, style));
 * ```
 */
export function renderSummary(sides: readonly SideSnapshot[], context: SummaryContext, style: Style): string {
  const row = (label: string, value: (s: SideSnapshot) => string): string[] => [label, ...sides.map(value)];
  const outage = context.outageMs > 0;
  const rows = [
    ["", ...sides.map((s) => style.bold(s.name))],
    row("STS calls: first fetch + refreshes", (s) => (s.stsCalls > 0 ? `1 + ${s.stsCalls - 1}` : "0")),
    ...(outage ? [row(`STS calls failed (STS down ${(context.outageMs / 1000).toFixed(0)} s)`, (s) => String(s.stsFailedCalls))] : []),
    row("SendMessage requests", (s) => String(s.requests)),
    row(`  waited on STS (> ${context.waitThresholdMs} ms)`, (s) => {
      const text = `${s.waitedOnSts} (${share(s.waitedOnSts, s.requests)})`;
      return s.waitedOnSts > 0 ? style.yellow(text) : style.green(text);
    }),
    row("  credential wait p99 / max", (s) => `${formatMs(s.credentialWaitP99Ms)} / ${formatMs(s.credentialWaitMaxMs)}`),
    row("  request p50 / p99", (s) => `${formatMs(s.requestP50Ms)} / ${formatMs(s.requestP99Ms)}`),
    row("  failed", (s) => (s.failed > 0 ? style.red(String(s.failed)) : "0")),
    row("messages consumed", (s) => String(s.consumed)),
  ];
  const nameWidth = Math.max(...sides.map((s) => s.name.length));
  const lines = [
    "",
    style.bold(
      `Summary after ${(context.durationMs / 1000).toFixed(1)} s — STS latency ${context.stsLatencyMs} ms, credentials live ` +
        `${context.lifetimeSeconds} s, ${context.ratePerSecond} SendMessage/s per side` +
        (outage ? `, STS down for the last ${(context.outageMs / 1000).toFixed(0)} s` : ""),
    ),
    "",
    formatColumns(rows, { indent: "  ", gap: 3 }),
    "",
    ...sides.map((s) => `  ${style.bold(s.name.padEnd(nameWidth))}  ${style.dim(s.detail)}`),
    "",
  ];
  for (const side of sides) {
    const waits =
      side.waitedOnSts === 0
        ? style.green(`no request waited for STS across ${plural(Math.max(0, side.stsCalls - 1), "refresh", "refreshes")}`)
        : style.yellow(
            `${side.waitedOnSts} of ${side.requests} requests (${share(side.waitedOnSts, side.requests)}) waited for STS, ` +
              `up to ${formatMs(side.credentialWaitMaxMs)} each`,
          );
    const down = outage
      ? `; while STS was down, ${side.failed > 0 ? style.red(plural(side.failed, "request failed", "requests failed")) : "no request failed"} ` +
        `and it called STS ${plural(side.stsFailedCalls, "time", "times")}`
      : "";
    lines.push(`  ${style.bold(side.name)}: ${waits}${down}.`);
    if (side.lastError) lines.push(`  ${style.dim(`${side.name} last error: ${side.lastError}`)}`);
  }
  return `${lines.join("\n")}\n`;
}
