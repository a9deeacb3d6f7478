/**
 * The region STS is called in. Pure. There is no default: a missing region is an error, never a silent
 * fall back to the global endpoint (a single point of failure in us-east-1).
 */
import { firstSet, type EnvVars } from "../shared/env.js";

/** A region name as STS hostnames take it: lower-case DNS labels joined by `-` (`eu-west-1`, `us-gov-west-1`). */
const REGION = /^[a-z0-9]+(?:-[a-z0-9]+)+$/;

export type RegionResult = { ok: true; region: string; from: string } | { ok: false; problem: string };

/**
 * Region from the `region` option, `AWS_REGION`, then `AWS_DEFAULT_REGION`.
 *
 * @example
 * ```ts
 * resolveStsRegion({ env: { AWS_REGION: "eu-west-1" } }); // { ok: true, region: "eu-west-1", from: "AWS_REGION" }
 * ```
 */
export function resolveStsRegion(input: { region?: string; env: EnvVars }): RegionResult {
  const found = firstSet({ name: "region", value: input.region }, input.env, "AWS_REGION", "AWS_DEFAULT_REGION");
  if (!found) {
    return {
      ok: false,
      problem:
        "no region is configured for STS. Set AWS_REGION (or AWS_DEFAULT_REGION, or the region option) to the " +
        "region the workload runs in, e.g. AWS_REGION=eu-west-1; the global STS endpoint is never used as a fallback",
    };
  }
  return checkRegionName(found.value, found.from);
}

/**
 * A region name STS can be called in (lower-cased), or why not: not the global pseudo-region, not a FIPS
 * pseudo-region, DNS labels only. `from` names where the value came from, for the message.
 *
 * @example
 * ```ts
 * checkRegionName("EU-West-1", "AWS_REGION"); // { ok: true, region: "eu-west-1", from: "AWS_REGION" }
 * ```
 */
export function checkRegionName(value: string, from: string): RegionResult {
  const region = value.toLowerCase();
  if (region === "aws-global" || region === "global") {
    return {
      ok: false,
      problem: `${from} is "${value}", but STS is always called regionally here. Set it to the region the workload runs in, e.g. us-east-1`,
    };
  }
  if (/(^fips-|-fips$)/.test(region)) {
    return {
      ok: false,
      problem: `${from} is the pseudo-region "${value}". Set the real region (e.g. ${region.replace(/^fips-|-fips$/, "")}) and pass useFipsEndpoint: true`,
    };
  }
  if (!REGION.test(region)) {
    return { ok: false, problem: `${from} is "${value}", which is not a region name (expected e.g. eu-west-1)` };
  }
  return { ok: true, region, from };
}
