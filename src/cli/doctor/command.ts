/**
 * `awscreds doctor`: parses its options, collects the report, prints it (human or JSON) and returns the
 * exit code: 0 when credentials would resolve (or did), 1 otherwise.
 */
import { listOption, parseCommandArgs } from "../args.js";
import { DOCTOR_HELP } from "../help.js";
import type { CliIo } from "../io.js";
import { outputWidth } from "../layout.js";
import { styleFor } from "../style.js";
import { EXIT, UsageError } from "../usage-error.js";
import { collectDoctorReport } from "./collect.js";
import { renderDoctorReport } from "./render.js";

/**
 * Runs `awscreds doctor` with `argv` (the arguments after `doctor`).
 *
 * @example
 * ```ts
 * const code = await runDoctor(["--json"], processIo());
 * ```
 */
export async function runDoctor(argv: readonly string[], io: CliIo): Promise<number> {
  const values = parseCommandArgs("doctor", argv, {
    json: { type: "boolean" },
    resolve: { type: "boolean" },
    whoami: { type: "boolean" },
    "assume-role": { type: "string" },
    "external-id": { type: "string" },
    "sts-endpoint": { type: "string" },
    "allow-insecure-endpoint": { type: "boolean" },
    "deployed-envs": { type: "string" },
    "allow-instance-role-in-kubernetes": { type: "boolean" },
    "shared-config": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout.write(DOCTOR_HELP);
    return EXIT.OK;
  }
  if (values["external-id"] !== undefined && values["assume-role"] === undefined) {
    throw new UsageError("--external-id goes with --assume-role <role ARN>", "doctor");
  }
  const report = await collectDoctorReport(io.env, {
    resolve: values.resolve === true,
    whoami: values.whoami === true,
    ...(values["assume-role"] !== undefined && { assumeRole: values["assume-role"] }),
    ...(values["external-id"] !== undefined && { externalId: values["external-id"] }),
    stsEndpoint: values["sts-endpoint"],
    allowInsecureEndpoint: values["allow-insecure-endpoint"] === true,
    deployedEnvs: listOption(values["deployed-envs"]),
    allowInstanceRoleInKubernetes: values["allow-instance-role-in-kubernetes"] === true,
    sharedConfig: values["shared-config"] === true,
  });
  if (values.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    io.stdout.write(renderDoctorReport(report, { style: styleFor(io.stdout, io.env), width: outputWidth(io.stdout.columns), now: Date.now() }));
  }
  return report.verdict.ok ? EXIT.OK : EXIT.FAILURE;
}
