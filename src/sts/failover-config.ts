/**
 * A provider's failover settings, resolved once at construction: the regions (option or
 * `AWSCREDS_STS_FAILOVER_REGIONS`), each region's custom endpoint, the cool-down, and the same-partition
 * check. A mistake is an error now, when the service starts, not during the outage it was meant for.
 */
import type { EnvVars } from "../shared/env.js";
import { customEndpoints } from "./endpoint-option.js";
import { failoverCooldown, type StsEndpointOption, type StsFailoverOptions } from "./failover-options.js";
import { crossPartitionProblem, resolveFailoverRegions } from "./failover-regions.js";
import { sdkPartitionsNow } from "./partitions.js";

/** What the transport needs to fail over. */
export interface ResolvedFailover {
  /** Failover regions in order (the primary excluded). */
  regions: string[];
  /** Custom endpoint of each failover region (`undefined`: its regional endpoint). */
  customEndpoints: (string | undefined)[];
  cooldownMs: number;
  /** `the failoverRegions option` or `AWSCREDS_STS_FAILOVER_REGIONS`, for messages. */
  from: string | undefined;
  /** Whether the same-partition check is still to be done (the partition table could not be loaded synchronously). */
  partitionCheckPending: boolean;
}

/**
 * Resolves and checks the failover settings of a provider whose primary region is `primary`. Throws a
 * `TypeError` (`RangeError` for the cool-down) that starts with `prefix`, names the setting and says what
 * to do. The partition table is loaded only when there are
 * failover regions, so a service without failover pays nothing for it at startup.
 *
 * @example
 * ```ts
 * resolveFailover({ failoverRegions: ["eu-central-1"] }, process.env, "eu-west-1", "awscreds: Web identity");
 * // { regions: ["eu-central-1"], customEndpoints: [undefined], cooldownMs: 30000, from: "the failoverRegions option", partitionCheckPending: false }
 * ```
 */
export function resolveFailover(
  options: StsFailoverOptions & { endpoint?: StsEndpointOption; allowInsecureEndpoint?: boolean },
  env: EnvVars,
  primary: string,
  prefix: string,
): ResolvedFailover {
  let cooldownMs: number;
  try {
    cooldownMs = failoverCooldown(options);
  } catch (error) {
    throw new RangeError(`${prefix}: ${(error as Error).message}`);
  }
  const regions = resolveFailoverRegions({ option: options.failoverRegions, env, primary });
  if (!regions.ok) throw new TypeError(`${prefix}: ${regions.problem}.`);
  // A URL is the primary's only (checked with the rest of its configuration); a function is asked per failover region here.
  const custom =
    typeof options.endpoint === "function"
      ? customEndpoints(options.endpoint, regions.regions, { allowInsecureEndpoint: options.allowInsecureEndpoint })
      : { ok: true as const, custom: regions.regions.map(() => undefined) };
  if (!custom.ok) throw new TypeError(`${prefix}: ${custom.problem}.`);
  let partitionCheckPending = false;
  if (regions.regions.length > 0) {
    const partitionOf = sdkPartitionsNow();
    if (partitionOf === undefined) partitionCheckPending = true;
    else {
      const problem = crossPartitionProblem(primary, regions.regions, partitionOf, regions.from ?? "failoverRegions");
      if (problem !== undefined) throw new TypeError(`${prefix}: ${problem}.`);
    }
  }
  return { regions: regions.regions, customEndpoints: custom.custom, cooldownMs, from: regions.from, partitionCheckPending };
}
