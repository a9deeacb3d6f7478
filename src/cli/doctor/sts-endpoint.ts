/**
 * Which STS endpoint would be called, and why — decided by the sources' own pure rules (custom endpoint
 * check, region resolution, partition table), only phrased for the report.
 */
import { checkCustomEndpoint } from "../../sts/custom-endpoint.js";
import { readBoolVar, readVar, type EnvVars } from "../../shared/env.js";
import { loadSdkPartitions } from "../../sts/partitions.js";
import { resolveStsRegion } from "../../sts/region.js";
import { regionalStsEndpoint, type PartitionLookup } from "../../sts/endpoint.js";
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
  /** The provider's failover regions and where they came from (its `describe()`). */
  failover?: { regions: readonly string[]; from: string };
}

const failed = (problem: string): StsEndpointReport => ({ url: null, kind: null, reason: problem, problem, failover: null });

function failoverReport(input: StsEndpointInput, useFips: boolean, partitionOf: PartitionLookup): StsEndpointReport["failover"] {
  if (!input.failover || input.failover.regions.length === 0) return null;
  return {
    from: input.failover.from,
    endpoints: input.failover.regions.map((region) => {
      const regional = regionalStsEndpoint(region, { useFipsEndpoint: useFips, partitionOf });
      return { region, url: regional.ok ? regional.endpoint : null };
    }),
  };
}

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
    const useFips = input.useFipsEndpoint ?? readBoolVar(input.env, "AWS_USE_FIPS_ENDPOINT");
    return {
      url: checked.endpoint,
      kind: "custom",
      reason: "given with --sts-endpoint (the webIdentity.endpoint option)",
      problem: null,
      failover: failoverReport(input, useFips, await loadSdkPartitions()),
    };
  }
  let region = input.region;
  if (region === undefined) {
    const resolved = resolveStsRegion({ env: input.env });
    if (!resolved.ok) return failed(resolved.problem);
    region = resolved;
  }
  const useFips = input.useFipsEndpoint ?? readBoolVar(input.env, "AWS_USE_FIPS_ENDPOINT");
  const partitionOf = await loadSdkPartitions();
  const regional = regionalStsEndpoint(region.region, { useFipsEndpoint: useFips, partitionOf });
  if (!regional.ok) return failed(regional.problem);
  const legacy = readVar(input.env, "AWS_STS_REGIONAL_ENDPOINTS")?.toLowerCase() === "legacy";
  return {
    url: regional.endpoint,
    kind: useFips ? "fips" : "regional",
    reason:
      `the ${useFips ? "FIPS " : ""}regional endpoint of ${region.region} (${region.from}, partition ${regional.partition}); awscreds always ` +
      `calls STS in the workload's own region, never the global endpoint${legacy ? ", whatever AWS_STS_REGIONAL_ENDPOINTS=legacy says" : ""}`,
    problem: null,
    failover: failoverReport(input, useFips, partitionOf),
  };
}
