/**
 * The `awscreds` command, as a function: dispatches to the subcommands and turns every outcome into an
 * exit code. The bin file (index.ts) only calls it; tests call it in-process with their own io.
 */
import { COMMAND_HELP, TOP_HELP } from "./help.js";
import { processIo, type CliIo } from "./io.js";
import { styleFor } from "./style.js";
import { EXIT, UsageError } from "./usage-error.js";
import { packageVersion } from "../shared/version.js";

// Loaded on demand: `doctor` must not pay for the demo's SQS client and fakes (nor need them installed).
const COMMANDS: Readonly<Record<string, (argv: readonly string[], io: CliIo) => Promise<number>>> = {
  doctor: async (argv, io) => (await import("./doctor/command.js")).runDoctor(argv, io),
  demo: async (argv, io) => (await import("./demo/command.js")).runDemo(argv, io),
  fake: async (argv, io) => (await import("./fake/command.js")).runFake(argv, io),
};

/**
 * Runs the command line `argv` (without `node` and the script) and resolves with the exit code. Never
 * rejects: usage errors give 2, unexpected errors 1, each with a message on stderr.
 *
 * @example
 * ```ts
 * process.exitCode = await main(["doctor", "--json"]);
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === undefined) {
      io.stderr.write(TOP_HELP);
      return EXIT.USAGE;
    }
    if (first === "-h" || first === "--help") {
      io.stdout.write(TOP_HELP);
      return EXIT.OK;
    }
    if (first === "-v" || first === "-V" || first === "--version") {
      io.stdout.write(`${packageVersion()}\n`);
      return EXIT.OK;
    }
    if (first === "help") {
      const topic = rest[0];
      if (topic === undefined) {
        io.stdout.write(TOP_HELP);
        return EXIT.OK;
      }
      const help = COMMAND_HELP[topic];
      if (help === undefined) throw new UsageError(`unknown command "${topic}"`);
      io.stdout.write(help);
      return EXIT.OK;
    }
    const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
    if (command === undefined) {
      throw new UsageError(first.startsWith("-") ? `unknown option "${first}"` : `unknown command "${first}"`);
    }
    return await command(rest, io);
  } catch (error) {
    const style = styleFor(io.stderr, io.env);
    if (error instanceof UsageError) {
      const help = error.command ? `awscreds ${error.command} --help` : "awscreds --help";
      io.stderr.write(`${style.red("awscreds: error:")} ${error.message}\nSee ${help}.\n`);
      return EXIT.USAGE;
    }
    // Messages only: stacks and causes of SDK errors can carry request details nobody asked to print.
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    io.stderr.write(`${style.red("awscreds: unexpected error:")} ${message}\n`);
    return EXIT.FAILURE;
  }
}
