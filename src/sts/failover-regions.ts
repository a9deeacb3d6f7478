/**
 * The failover regions of an STS transport: from the `failoverRegions` option or `AWSCREDS_STS_FAILOVER_REGIONS`,
 * checked to be region names of the primary's partition. Pure (the partition table comes in).
 */
import { readVar, type EnvVars } from "../shared/env.js";
import { checkRegionName } from "./region.js";
import type { PartitionLookup } from "./endpoint.js";

/** The variable a deployment sets to turn failover on without code: `eu-central-1,eu-north-1`. */
export const FAILOVER_REGIONS_VAR = "AWSCREDS_STS_FAILOVER_REGIONS";

export type FailoverRegionsResult =
  | {
      ok: true;
      /** In order, without the primary and without duplicates (one list can serve a fleet spread over its regions). */
      regions: string[];
      /** `the failoverRegions option`, `AWSCREDS_STS_FAILOVER_REGIONS`, or undefined when neither is set. */
      from: string | undefined;
    }
  | { ok: false; problem: string };

/**
 * Splits a comma-separated list: blanks around names and empty entries (`a,,b,`) are ignored.
 *
 * @example
 * ```ts
 * parseRegionList(" eu-central-1, eu-north-1 ,"); // ["eu-central-1", "eu-north-1"]
 * ```
 */
export function parseRegionList(raw: string): string[] {
  return raw
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
}

/**
 * The failover regions: the option when given (`[]` turns failover off whatever the variable says), else
 * the variable. Each must be a region name; the primary itself and repeats are dropped.
 *
 * @example
 * ```ts
 * resolveFailoverRegions({ env: { AWSCREDS_STS_FAILOVER_REGIONS: "eu-west-1,eu-central-1" }, primary: "eu-west-1" });
 * // { ok: true, regions: ["eu-central-1"], from: "AWSCREDS_STS_FAILOVER_REGIONS" }
 * ```
 */
export function resolveFailoverRegions(input: { option: readonly string[] | undefined; env: EnvVars; primary: string }): FailoverRegionsResult {
  let names: readonly unknown[];
  let from: string;
  if (input.option !== undefined) {
    if (!Array.isArray(input.option)) {
      return {
        ok: false,
        problem: `the failoverRegions option must be an array of region names, e.g. ["eu-central-1"], got ${typeof input.option} (a comma-separated list is what ${FAILOVER_REGIONS_VAR} takes)`,
      };
    }
    names = input.option;
    from = "the failoverRegions option";
  } else {
    const raw = readVar(input.env, FAILOVER_REGIONS_VAR);
    if (raw === undefined) return { ok: true, regions: [], from: undefined };
    names = parseRegionList(raw);
    from = FAILOVER_REGIONS_VAR;
  }
  const regions: string[] = [];
  for (const name of names) {
    if (typeof name !== "string") return { ok: false, problem: `${from} must hold region names (strings), got ${typeof name}` };
    const checked = checkRegionName(name.trim(), `an entry of ${from}`);
    if (!checked.ok) return { ok: false, problem: checked.problem };
    if (checked.region !== input.primary && !regions.includes(checked.region)) regions.push(checked.region);
  }
  return { ok: true, regions, from };
}

/**
 * Why a failover region cannot serve the primary's credentials, if one cannot: partitions (`aws`,
 * `aws-cn`, `aws-us-gov`, …) are separate worlds with their own accounts, IAM and STS, so a role in one
 * cannot be assumed through another's STS, and its credentials would not be valid there.
 *
 * @example
 * ```ts
 * crossPartitionProblem("eu-west-1", ["cn-north-1"], partitionOf, "the failoverRegions option");
 * // "the failoverRegions option lists cn-north-1, which is in partition aws-cn, but the primary region eu-west-1 is in aws. …"
 * ```
 */
export function crossPartitionProblem(primary: string, regions: readonly string[], partitionOf: PartitionLookup, from: string): string | undefined {
  const home = partitionOf(primary).name;
  for (const region of regions) {
    const other = partitionOf(region).name;
    if (other !== home) {
      return (
        `${from} lists ${region}, which is in partition ${other}, but the primary region ${primary} is in ${home}. ` +
        `STS failover stays within one partition: partitions have separate accounts, IAM and STS, so ${other} STS cannot issue ` +
        `credentials for this role, nor would they be valid in ${home}. Remove ${region}, or list regions of ${home} only`
      );
    }
  }
  return undefined;
}
