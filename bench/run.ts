/**
 * `npm run bench`: runs the scenarios (awscreds and the SDK defaults side by side, on loopback), prints
 * the tables, and writes `bench/results/latest.md`, the scenario 1 chart and the raw JSON.
 *
 * Usage: `tsx bench/run.ts [--quick] [--only 1,fleet] [--write|--no-write] [--out dir] [--list]`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { parseBenchArgs, USAGE } from "./lib/args.js";
import { isolateProcessEnv } from "./lib/env.js";
import { machineInfo, repoRoot } from "./lib/machine.js";
import { machineLine, renderConsole, renderReport, type ScenarioOutcome } from "./lib/report.js";
import { scenarios } from "./scenarios/index.js";

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === "string" ? ` (${code})` : ""}: ${error.message}`;
  }
  return String(error);
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseBenchArgs(process.argv.slice(2), scenarios);
  } catch (error) {
    process.stderr.write(`${describeError(error)}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.list) {
    for (const s of scenarios) process.stdout.write(`${s.id}  ${s.key.padEnd(11)} ${s.title}\n`);
    return 0;
  }

  isolateProcessEnv();
  const machine = machineInfo();
  log(`${machineLine(machine)}${args.quick ? " · quick mode" : ""}`);
  const outDir = resolve(repoRoot, args.outDir);
  await mkdir(outDir, { recursive: true });

  const started = performance.now();
  const outcomes: ScenarioOutcome[] = [];
  for (const entry of scenarios.filter((s) => args.only.includes(s.id))) {
    log(`scenario ${entry.id} (${entry.key}): ${entry.title}`);
    const t0 = performance.now();
    const outcome: ScenarioOutcome = { id: entry.id, key: entry.key, title: entry.title, durationMs: 0 };
    try {
      const scenario = await entry.load();
      outcome.result = await scenario.run({ quick: args.quick, log: (m) => log(`  ${m}`) });
    } catch (error) {
      outcome.error = describeError(error);
      log(`  scenario ${entry.id} failed: ${outcome.error}`);
    }
    outcome.durationMs = performance.now() - t0;
    outcomes.push(outcome);
    process.stdout.write(renderConsole(outcome));
  }
  const totalMs = performance.now() - started;

  const complete = outcomes.length === scenarios.length;
  const json = JSON.stringify({ machine, quick: args.quick, totalMs, outcomes }, null, 2);
  await writeFile(join(outDir, complete && !args.quick ? "latest.json" : "last-run.json"), json);
  if (args.write) {
    await writeFile(join(outDir, "latest.md"), renderReport({ machine, quick: args.quick, totalMs, outcomes }));
    for (const o of outcomes) {
      for (const artifact of o.result?.artifacts ?? []) await writeFile(join(outDir, artifact.name), artifact.content);
    }
    log(`wrote ${join(args.outDir, "latest.md")}`);
  } else {
    log(`latest.md not rewritten (partial or quick run; pass --write to force)`);
  }
  log(`total ${(totalMs / 1000).toFixed(1)} s`);
  return outcomes.some((o) => o.error !== undefined) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
    // A keep-alive socket left by a client must not hold the terminal; unref'd, so a clean exit is not delayed.
    setTimeout(() => {
      log("open handles kept the process alive after the run; exiting");
      process.exit();
    }, 2000).unref();
  },
  (error: unknown) => {
    process.stderr.write(`${describeError(error)}\n`);
    process.exitCode = 1;
  },
);
