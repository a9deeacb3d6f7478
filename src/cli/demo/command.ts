/**
 * `awscreds demo`: parses its options and runs the scenario.
 */
import { numberOption, parseCommandArgs } from "../args.js";
import { DEMO_HELP } from "../help.js";
import type { CliIo } from "../io.js";
import { styleFor } from "../style.js";
import { EXIT } from "../usage-error.js";

/**
 * Runs `awscreds demo` with `argv` (the arguments after `demo`).
 *
 * @example
 * ```ts
 * const code = await runDemo(["--duration", "6"], processIo());
 * ```
 */
export async function runDemo(argv: readonly string[], io: CliIo): Promise<number> {
  const values = parseCommandArgs("demo", argv, {
    duration: { type: "string" },
    "sts-latency": { type: "string" },
    rate: { type: "string" },
    outage: { type: "string" },
    prometheus: { type: "boolean" },
    "prometheus-port": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout.write(DEMO_HELP);
    return EXIT.OK;
  }
  const durationSeconds = numberOption("demo", "--duration", values.duration, { fallback: 20, min: 1, max: 600, unit: "seconds" });
  const stsLatencyMs = numberOption("demo", "--sts-latency", values["sts-latency"], { fallback: 300, min: 0, max: 5_000, unit: "ms" });
  const ratePerSecond = numberOption("demo", "--rate", values.rate, { fallback: 25, min: 1, max: 500, unit: "per second" });
  // Default: STS down for the last 40% of the run (8 s of the default 20 s).
  const outageSeconds = numberOption("demo", "--outage", values.outage, {
    fallback: Math.round(durationSeconds * 0.4),
    min: 0,
    max: durationSeconds,
    unit: "seconds (at most --duration)",
  });
  const prometheusPort = numberOption("demo", "--prometheus-port", values["prometheus-port"], { fallback: 9464, min: 1, max: 65_535, unit: "(a TCP port)" });
  let scenario: typeof import("./run.js");
  try {
    scenario = await import("./run.js");
  } catch (error) {
    // @aws-sdk/client-sqs is a peer dependency (only awscreds/sqs and the demo need it).
    if (/@aws-sdk\/client-sqs/.test(error instanceof Error ? error.message : "")) {
      io.stderr.write("awscreds demo needs @aws-sdk/client-sqs, which is not installed: npm install --save-dev @aws-sdk/client-sqs\n");
      return EXIT.FAILURE;
    }
    throw error;
  }
  return scenario.runDemoScenario(
    {
      durationMs: Math.round(durationSeconds * 1000),
      stsLatencyMs,
      ratePerSecond,
      outageMs: Math.round(outageSeconds * 1000),
      ...((values.prometheus === true || values["prometheus-port"] !== undefined) && { prometheusPort }),
    },
    io,
    styleFor(io.stdout, io.env),
  );
}
