/**
 * `bench/results/latest.md`: every table with its method next to it, the machine it ran on, and the bars
 * of DESIGN.md with what this run measured for each. Pure (strings in, string out), so it is tested.
 */
import type { MachineInfo } from "./machine.js";
import type { BarCheck, ScenarioResult } from "./scenario.js";
import { renderMarkdown, renderText, type Table } from "./table.js";

export interface ScenarioOutcome {
  id: number;
  key: string;
  title: string;
  durationMs: number;
  result?: ScenarioResult;
  /** Message of the error that stopped the scenario, if it failed. */
  error?: string;
}

export interface ReportInput {
  machine: MachineInfo;
  quick: boolean;
  totalMs: number;
  outcomes: readonly ScenarioOutcome[];
}

function metLabel(met: boolean | undefined): string {
  return met === undefined ? "not measured" : met ? "met" : "NOT met";
}

/**
 * The bars of every scenario that ran, as one table.
 *
 * @example
 * ```ts
 * barsTable([{ bar: "0 resolutions > 50 ms", measured: "0 of 10,000", met: true }]);
 * ```
 */
export function barsTable(bars: readonly BarCheck[]): Table {
  return {
    title: "Bars (DESIGN.md)",
    columns: ["bar", "measured in this run", "verdict"],
    rows: bars.map((b) => [b.bar, b.measured, metLabel(b.met)]),
    numericColumns: [],
  };
}

/**
 * One line naming the machine and software, for the report and the README.
 *
 * @example
 * ```ts
 * machineLine(machineInfo()); // "2026-… · Intel(R) Xeon(R) … × 2, 7.7 GiB, Linux … · Node v20.20.2 · AWS SDK 3.1169.0 · awscreds 0.1.0 (abc1234)"
 * ```
 */
export function machineLine(m: MachineInfo): string {
  return `${m.date.slice(0, 16).replace("T", " ")} UTC · ${m.cpu} × ${m.cores}, ${m.memoryGiB} GiB, ${m.os} · Node ${m.node} · AWS SDK ${m.awsSdk} · awscreds ${m.awscreds} (${m.commit})`;
}

/**
 * Renders the full markdown report.
 *
 * @example
 * ```ts
 * await writeFile("bench/results/latest.md", renderReport({ machine, quick: false, totalMs, outcomes }));
 * ```
 */
export function renderReport(input: ReportInput): string {
  const m = input.machine;
  const out: string[] = [];
  out.push("# awscreds benchmarks");
  out.push("");
  out.push(`Measured ${machineLine(m)}.`);
  out.push(
    `Load average at start: ${m.loadAverageAtStart.join(", ")}. ${input.quick ? "**Quick mode** (short runs; indicative only). " : ""}` +
      `Whole run: ${Math.round(input.totalMs / 1000)} s. Reproduce with \`npm run bench\` ` +
      "(`npm run bench -- --quick` for a smoke run, `npm run bench -- --only 1` for one scenario).",
  );
  out.push("");
  out.push(
    "Every comparison runs both sides in the same process and the same run: real AWS SDK for JavaScript v3 clients, " +
      "the SDK's own providers on one side and awscreds on the other, against the `awscreds/testing` fakes on 127.0.0.1 " +
      "(explicit endpoints; no AWS host is ever contacted). A *resolution* is one call of a v3 client's " +
      "`config.credentials()` — what the client does before signing each request.",
  );
  out.push("");

  const bars = input.outcomes.flatMap((o) => o.result?.bars ?? []);
  if (bars.length > 0) {
    out.push("## Bars");
    out.push("");
    out.push(renderMarkdown(barsTable(bars)));
    out.push("");
  }

  for (const o of input.outcomes) {
    out.push(`## ${o.id}. ${o.title}`);
    out.push("");
    if (o.error !== undefined) {
      out.push(`**Did not complete:** ${o.error}`);
      out.push("");
    }
    const r = o.result;
    if (!r) continue;
    out.push(`*Method.* ${r.method}`);
    out.push("");
    for (const table of r.tables) {
      out.push(`**${table.title}**`);
      out.push("");
      out.push(renderMarkdown(table));
      out.push("");
    }
    for (const artifact of r.artifacts ?? []) {
      if (artifact.name.endsWith(".svg")) {
        out.push(`![${o.title}](${artifact.name})`);
        out.push("");
      }
    }
    for (const note of r.notes) out.push(`- ${note}`);
    if (r.notes.length > 0) out.push("");
    for (const missing of r.missing ?? []) out.push(`- **Missing:** ${missing}`);
    if ((r.missing ?? []).length > 0) out.push("");
    out.push(`<sub>Scenario time: ${(o.durationMs / 1000).toFixed(1)} s.</sub>`);
    out.push("");
  }
  return out.join("\n");
}

/**
 * The same content for the terminal: tables as aligned text.
 *
 * @example
 * ```ts
 * process.stdout.write(renderConsole(outcome));
 * ```
 */
export function renderConsole(o: ScenarioOutcome): string {
  const out: string[] = [`\n== ${o.id}. ${o.title} (${(o.durationMs / 1000).toFixed(1)} s)`];
  if (o.error !== undefined) out.push(`did not complete: ${o.error}`);
  for (const table of o.result?.tables ?? []) out.push("", renderText(table));
  for (const note of o.result?.notes ?? []) out.push(`* ${note}`);
  for (const missing of o.result?.missing ?? []) out.push(`! missing: ${missing}`);
  return `${out.join("\n")}\n`;
}
