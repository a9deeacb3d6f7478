/**
 * The sources' messages name options as a service sets them in code (`allowInsecureEndpoint: true`);
 * doctor is run with flags. Both spellings, so the advice works in either place. Pure.
 */
import type { DoctorReport } from "./report.js";

// Option spelling in messages → the doctor flag that sets the same option.
const FLAGS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\ballowInsecureEndpoint(?:: true)?/g, "--allow-insecure-endpoint"],
  [/\ballowInstanceRoleInKubernetes(?:: true)?/g, "--allow-instance-role-in-kubernetes"],
  [/\bsharedConfig(?:: true)?(?: option)?/g, "--shared-config"],
  [/\bdeployedEnvs\b/g, "--deployed-envs"],
];

/**
 * `message` with each option name followed by its doctor flag, unless the flag is named already.
 *
 * @example
 * ```ts
 * withDoctorFlags("pass allowInsecureEndpoint: true if …");
 * // "pass allowInsecureEndpoint: true (doctor: --allow-insecure-endpoint) if …"
 * ```
 */
export function withDoctorFlags(message: string): string {
  let out = message;
  for (const [option, flag] of FLAGS) {
    if (out.includes(flag)) continue;
    out = out.replace(option, (name) => `${name} (doctor: ${flag})`);
  }
  return out;
}

/** Applies {@link withDoctorFlags} to every prose field of a report, in place. */
export function nameDoctorFlags(report: DoctorReport): DoctorReport {
  report.verdict.reason = withDoctorFlags(report.verdict.reason);
  for (const source of report.sources) source.reason = withDoctorFlags(source.reason);
  for (const warning of report.warnings) warning.message = withDoctorFlags(warning.message);
  report.notes = report.notes.map(withDoctorFlags);
  if (report.resolve?.error) report.resolve.error = withDoctorFlags(report.resolve.error);
  if (report.whoami?.error) report.whoami.error = withDoctorFlags(report.whoami.error);
  if (report.stsEndpoint?.problem) report.stsEndpoint.problem = withDoctorFlags(report.stsEndpoint.problem);
  return report;
}
