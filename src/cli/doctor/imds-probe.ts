/**
 * Is the instance metadata service reachable, and does it offer a role? IMDSv2 only (a token first, as
 * the SDK's provider does with IMDSv1 disabled). Reads the role's *name* only, never its credentials.
 */
import { performance } from "node:perf_hooks";
import { messageOf } from "../../shared/errors.js";
import { httpProbe } from "./http-probe.js";
import type { ImdsReport } from "./report.js";

/**
 * Probes `endpoint` (e.g. `http://169.254.169.254`), each request bounded by `timeoutMs`.
 *
 * @example
 * ```ts
 * const imds = await probeImds("http://169.254.169.254", 1000);
 * if (imds.roleName) console.log(`instance role ${imds.roleName} is reachable`);
 * ```
 */
export async function probeImds(endpoint: string, timeoutMs: number): Promise<ImdsReport> {
  const started = performance.now();
  const base = endpoint.replace(/\/+$/, "");
  const done = (fields: Pick<ImdsReport, "reachable" | "roleName" | "problem">): ImdsReport => ({
    endpoint,
    ...fields,
    durationMs: Math.round(performance.now() - started),
  });
  let token: string;
  try {
    const res = await httpProbe(`${base}/latest/api/token`, {
      method: "PUT",
      headers: { "x-aws-ec2-metadata-token-ttl-seconds": "60" },
      timeoutMs,
    });
    if (res.status !== 200 || res.body.trim() === "") {
      return done({ reachable: false, roleName: null, problem: `the metadata service at ${endpoint} refused an IMDSv2 token (HTTP ${res.status})` });
    }
    token = res.body.trim();
  } catch (error) {
    return done({ reachable: false, roleName: null, problem: `the metadata service at ${endpoint} did not answer: ${messageOf(error)}` });
  }
  try {
    const res = await httpProbe(`${base}/latest/meta-data/iam/security-credentials/`, {
      method: "GET",
      headers: { "x-aws-ec2-metadata-token": token },
      timeoutMs,
    });
    const roleName = res.status === 200 ? (res.body.split("\n")[0]?.trim() ?? "") : "";
    if (roleName === "") {
      return done({ reachable: true, roleName: null, problem: `the metadata service at ${endpoint} answers, but no instance profile role is attached (HTTP ${res.status})` });
    }
    return done({ reachable: true, roleName, problem: null });
  } catch (error) {
    return done({ reachable: true, roleName: null, problem: `the metadata service at ${endpoint} gave a token but no role list: ${messageOf(error)}` });
  }
}
