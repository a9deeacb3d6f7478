/**
 * Which STS endpoint would be called, and why — decided by the sources' own pure rules (custom endpoint
 * check, region resolution, partition table), only phrased for the report.
 */
import { checkCustomEndpoint } from "../../sts/custom-endpoint.js";
import { readBoolVar, readVar, type EnvVars } from "../../sources/env.js";
import { loadSdkPartitions } from "../../sts/partitions.js";
import { resolveStsRegion } from "../../sts/region.js";
import { regionalStsEndpoint } from "../../sts/endpoint.js";
import type { StsEndpointReport } from "./report.js";

export interface StsEndpointInput {
  env: EnvVars;
  /** The --sts-endpoint option (the provider's `endpoint` option). */
  customEndpoint: string | undefined;
  allowInsecureEndpoint: boolean;
  /** A region already resolved by the provider, else it is resolved from `env`. */
  region?: { region: string; from: string };
  /** Default: `AWS_USE_FIPS_ENDPOINT=true`, as the provider reads it. */
  useFipsEndpoint?: boolean;
}

const failed = (problem: string): StsEndpointReport => ({ url: null, kind: null, reason: problem, problem });

/**
 * The endpoint and the reason, e.g. `https://sts.eu-west-1.amazonaws.com` because `AWS_REGION=eu-west-1`.
 *
 * @example
 * ```ts
 * const sts = await stsEndpointReport({ env: process.env, customEndpoint: undefined, allowInsecureEndpoint: false });
 * console.log(sts.url, sts.reason);
 * ```
 */
export async function stsEndpointReport(input: StsEndpointInput): Promise<StsEndpointReport> {
  if (input.customEndpoint !== undefined) {
    const checked = checkCustomEndpoint(input.customEndpoint, { allowInsecureEndpoint: input.allowInsecureEndpoint });
    if (!checked.ok) return failed(checked.problem);
    return { url: checked.endpoint, kind: "custom", reason: "given with --sts-endpoint (the webIdentity.endpoint option)", problem: null };
  }
  let region = input.region;
  if (region === undefined) {
    const resolved = resolveStsRegion({ env: input.env });
    if (!resolved.ok) return failed(resolved.problem);
    region = resolved;
  }
  const useFips = input.useFipsEndpoint ?? readBoolVar(input.env, "AWS_USE_FIPS_ENDPOINT");
  const regional = regionalStsEndpoint(region.region, { useFipsEndpoint: useFips, partitionOf: await loadSdkPartitions() });
  if (!regional.ok) return failed(regional.problem);
  const legacy = readVar(input.env, "AWS_STS_REGIONAL_ENDPOINTS")?.toLowerCase() === "legacy";
  return {
    url: regional.endpoint,
    kind: useFips ? "fips" : "regional",
    reason:
      `the ${useFips ? "FIPS " : ""}regional endpoint of ${region.region} (${region.from}, partition ${regional.partition}); awscreds always ` +
      `calls STS in the workload's own region, never the global endpoint${legacy ? ", whatever AWS_STS_REGIONAL_ENDPOINTS=legacy says" : ""}`,
    problem: null,
  };
}
