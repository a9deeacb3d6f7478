/**
 * One result table, rendered two ways: aligned plain text for the terminal and GitHub markdown for
 * `bench/results/latest.md` and the README.
 */

export interface Table {
  title: string;
  columns: readonly string[];
  rows: readonly (readonly string[])[];
  /** Columns (by index) holding numbers: right-aligned. Default: every column but the first. */
  numericColumns?: readonly number[];
}

function isNumeric(table: Table, index: number): boolean {
  return table.numericColumns ? table.numericColumns.includes(index) : index > 0;
}

function cell(row: readonly string[], index: number): string {
  return row[index] ?? "";
}

/**
 * Aligned plain text with a title line and a rule under the header.
 *
 * @example
 * ```ts
 * console.log(renderText({ title: "Hot path", columns: ["side", "ns"], rows: [["sdk", "412"]] }));
 * ```
 */
export function renderText(table: Table): string {
  const widths = table.columns.map((c, i) => Math.max(c.length, ...table.rows.map((r) => cell(r, i).length)));
  const line = (row: readonly string[]): string =>
    widths
      .map((w, i) => (isNumeric(table, i) ? cell(row, i).padStart(w) : cell(row, i).padEnd(w)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [table.title, line(table.columns), rule, ...table.rows.map(line)].join("\n");
}

/** Escapes what would break a markdown table cell. */
function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/**
 * A GitHub-flavoured markdown table (no title; callers put it in a heading).
 *
 * @example
 * ```ts
 * renderMarkdown({ title: "t", columns: ["side", "ns"], rows: [["sdk", "412"]] });
 * // "| side | ns |\n| :--- | ---: |\n| sdk | 412 |"
 * ```
 */
export function renderMarkdown(table: Table): string {
  const header = `| ${table.columns.map(escapeCell).join(" | ")} |`;
  const align = `| ${table.columns.map((_, i) => (isNumeric(table, i) ? "---:" : ":---")).join(" | ")} |`;
  const body = table.rows.map((r) => `| ${table.columns.map((_, i) => escapeCell(cell(r, i))).join(" | ")} |`);
  return [header, align, ...body].join("\n");
}
