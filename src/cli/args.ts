/**
 * Argument parsing on `node:util` `parseArgs` (no CLI framework), turning its errors into
 * {@link UsageError}s that name the subcommand, plus value checks shared by the subcommands.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./usage-error.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The parsed option values for an options spec `O`, as `parseArgs` types them. */
export type OptionValues<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>>["values"];

/**
 * Parses the options of `command` strictly (unknown options and stray positionals are usage errors).
 *
 * @example
 * ```ts
 * const values = parseCommandArgs("doctor", ["--json"], { json: { type: "boolean" } });
 * values.json; // true
 * ```
 */
export function parseCommandArgs<O extends Options>(command: string, argv: readonly string[], options: O): OptionValues<O> {
  try {
    const parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
    if (parsed.positionals.length > 0) {
      throw new UsageError(`unexpected argument "${parsed.positionals[0]}"`, command);
    }
    return parsed.values;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // parseArgs' messages are good ("Unknown option '--jsn'"), minus its hint about "--" which does not apply here.
    const message = error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, "") : String(error);
    throw new UsageError(message, command);
  }
}

/**
 * A number option: parses `raw` (undefined → `fallback`) and checks it lies in `[min, max]`.
 *
 * @example
 * ```ts
 * numberOption("demo", "--duration", "6", { fallback: 20, min: 1, max: 3600 }); // 6
 * ```
 */
export function numberOption(
  command: string,
  name: string,
  raw: string | undefined,
  range: { fallback: number; min: number; max: number; unit?: string },
): number {
  if (raw === undefined) return range.fallback;
  const value = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(value) || value < range.min || value > range.max) {
    const unit = range.unit ? ` ${range.unit}` : "";
    throw new UsageError(`${name} must be a number from ${range.min} to ${range.max}${unit}, got "${raw}"`, command);
  }
  return value;
}

/** A comma-separated list option: trimmed, empty items dropped. */
export function listOption(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  return raw
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}
