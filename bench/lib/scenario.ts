/**
 * The shape every benchmark scenario has: it runs, and returns tables, a description of its method (printed
 * next to the numbers), the bars of DESIGN.md it checks, and its raw data for the JSON file.
 */
import type { Table } from "./table.js";

export interface BenchContext {
  /** Short durations and fewer runs. */
  quick: boolean;
  /** Progress line on stderr (the tables go to stdout). */
  log(message: string): void;
}

/** One bar of DESIGN.md, as measured in this run. */
export interface BarCheck {
  bar: string;
  measured: string;
  /** Undefined when it could not be measured (a missing module, a failed run). */
  met: boolean | undefined;
}

export interface ScenarioResult {
  tables: Table[];
  /** How it was measured: durations, rates, runs, what is a median of what. Markdown. */
  method: string;
  /** Observations worth reading next to the table, especially where awscreds is not ahead. */
  notes: string[];
  bars: BarCheck[];
  /** Raw numbers for `bench/results/*.json`. */
  data: unknown;
  /** Extra files (relative to the output directory), e.g. the scenario 1 chart. */
  artifacts?: { name: string; content: string }[];
  /** Parts that could not run because a module they need has not landed yet. */
  missing?: string[];
}

/** A scenario module's export; its number, name and title live in `bench/scenarios/index.ts`. */
export interface Scenario {
  run(context: BenchContext): Promise<ScenarioResult>;
}
