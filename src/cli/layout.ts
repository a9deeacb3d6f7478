/**
 * Plain-text layout for the command's human output: aligned columns and word wrapping with a hanging
 * indent, measured in visible characters so coloured cells line up too.
 */
import { visibleWidth } from "./style.js";

export type Align = "left" | "right";

/**
 * Rows as aligned columns, separated by `gap` spaces; trailing spaces trimmed.
 *
 * @example
 * ```ts
 * formatColumns([["requests", "500"], ["waited", "0"]], { align: ["left", "right"] });
 * // "requests  500\nwaited      0"
 * ```
 */
export function formatColumns(rows: readonly (readonly string[])[], options: { align?: readonly Align[]; gap?: number; indent?: string } = {}): string {
  const gap = " ".repeat(options.gap ?? 2);
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleWidth(cell))));
  return rows
    .map((row) =>
      (options.indent ?? "") +
      row
        .map((cell, i) => {
          const pad = " ".repeat((widths[i] ?? 0) - visibleWidth(cell));
          return options.align?.[i] === "right" ? pad + cell : cell + pad;
        })
        .join(gap)
        .trimEnd(),
    )
    .join("\n");
}

/**
 * Wraps `text` at `width` columns; lines after the first start with `indent`. Words longer than a line
 * (URLs, paths) are kept whole.
 *
 * @example
 * ```ts
 * wrapText("a long reason …", { width: 40, firstWidth: 28, indent: "            " });
 * ```
 */
export function wrapText(text: string, options: { width: number; firstWidth?: number; indent?: string }): string {
  const indent = options.indent ?? "";
  const lines: string[] = [];
  let line = "";
  let limit = options.firstWidth ?? options.width;
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && visibleWidth(line) + 1 + visibleWidth(word) > limit) {
      lines.push(line);
      line = word;
      limit = options.width - visibleWidth(indent);
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : indent + l)).join("\n");
}

/** The width to wrap at: the terminal's (at most 120), else 100. */
export function outputWidth(columns: number | undefined): number {
  return columns !== undefined && columns >= 40 ? Math.min(columns, 120) : 100;
}
