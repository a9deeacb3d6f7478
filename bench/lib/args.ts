/**
 * Command line of `npm run bench`. Pure, so it is tested without spawning anything.
 */
import { parseArgs } from "node:util";

export interface ScenarioRef {
  id: number;
  key: string;
}

export interface BenchArgs {
  /** Shorter durations and fewer repetitions: a smoke run, not numbers to publish. */
  quick: boolean;
  /** Scenario ids to run, ascending; every scenario when `--only` is absent. */
  only: number[];
  /** Whether `latest.md` and the SVG are (re)written. */
  write: boolean;
  outDir: string;
  list: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]

  --quick           short durations, fewer runs (smoke test; does not overwrite latest.md)
  --only <list>     scenarios to run, by number or name, comma-separated (e.g. --only 1,hot-path)
  --write           write latest.md and the SVG even for --quick or --only runs (they then hold only what ran)
  --no-write        never write latest.md / the SVG (the JSON of the run is still written)
  --out <dir>       output directory (default bench/results)
  --list            list the scenarios and exit
  --help            this text`;

/**
 * Parses the bench's arguments. By default only a full, non-quick run rewrites the committed results.
 *
 * @example
 * ```ts
 * parseBenchArgs(["--quick", "--only", "1,fleet"], [{ id: 1, key: "steady" }, { id: 6, key: "fleet" }]);
 * // { quick: true, only: [1, 6], write: false, outDir: "bench/results", list: false, help: false }
 * ```
 */
export function parseBenchArgs(argv: readonly string[], scenarios: readonly ScenarioRef[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string", multiple: true },
      write: { type: "boolean" },
      "no-write": { type: "boolean" },
      out: { type: "string" },
      list: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: false,
    strict: true,
  });
  if (values.write && values["no-write"]) throw new Error("--write and --no-write contradict each other");

  const wanted = (values.only ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
  const only = new Set<number>();
  for (const token of wanted) {
    const match = scenarios.find((s) => String(s.id) === token || s.key === token.toLowerCase());
    if (!match) {
      const known = scenarios.map((s) => `${s.id} (${s.key})`).join(", ");
      throw new Error(`unknown scenario "${token}"; known: ${known}`);
    }
    only.add(match.id);
  }
  const selected = only.size > 0 ? [...only].sort((a, b) => a - b) : scenarios.map((s) => s.id).sort((a, b) => a - b);
  const complete = only.size === 0 || selected.length === scenarios.length;
  const quick = values.quick ?? false;
  const write = values["no-write"] ? false : (values.write ?? (complete && !quick));
  return {
    quick,
    only: selected,
    write,
    outDir: values.out ?? "bench/results",
    list: values.list ?? false,
    help: values.help ?? false,
  };
}
