/**
 * A mistake on the command line: reported on stderr with a pointer to `--help`, exit code 2.
 */
export class UsageError extends Error {
  override name = "UsageError";
  constructor(
    message: string,
    /** The subcommand whose `--help` to point at (undefined: the top level). */
    readonly command?: string,
  ) {
    super(message);
  }
}

/** Exit codes of the `awscreds` command. */
export const EXIT = Object.freeze({
  /** Done; for doctor: credentials would resolve (or did, with --resolve/--whoami). */
  OK: 0,
  /** Doctor: credentials would not resolve, or --resolve/--whoami failed. Demo: requests failed or it crashed. */
  FAILURE: 1,
  /** The command line is wrong (unknown command or option, bad value). */
  USAGE: 2,
});
