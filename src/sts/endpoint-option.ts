/**
 * The custom endpoint of each region from the `endpoint` option. Pure: a URL applies to the primary only;
 * a function is asked once per region, and `undefined` from it means the regional endpoint.
 */
import { checkCustomEndpoint } from "./custom-endpoint.js";
import type { StsEndpointOption } from "./failover-options.js";

export type CustomEndpointsResult = { ok: true; custom: (string | undefined)[] } | { ok: false; problem: string };

/**
 * Validated custom endpoints, one per region (`undefined`: use the regional one).
 *
 * @example
 * ```ts
 * customEndpoints((r) => (r === "eu-west-1" ? "https://vpce-0abc.sts.eu-west-1.vpce.amazonaws.com" : undefined), ["eu-west-1", "eu-central-1"], {});
 * // { ok: true, custom: ["https://vpce-0abc.sts.eu-west-1.vpce.amazonaws.com/", undefined] }
 * ```
 */
export function customEndpoints(option: StsEndpointOption | undefined, regions: readonly string[], init: { allowInsecureEndpoint?: boolean }): CustomEndpointsResult {
  const custom: (string | undefined)[] = [];
  for (const [i, region] of regions.entries()) {
    let raw: unknown;
    if (typeof option === "function") {
      try {
        raw = option(region);
      } catch (error) {
        return { ok: false, problem: `the endpoint function threw for region ${region}: ${error instanceof Error ? error.message : String(error)}` };
      }
    } else {
      raw = i === 0 ? option : undefined;
    }
    if (raw === undefined) {
      custom.push(undefined);
      continue;
    }
    if (typeof raw !== "string") return { ok: false, problem: `the endpoint option must be a URL string or a function returning one (or undefined), got ${typeof raw} for region ${region}` };
    const checked = checkCustomEndpoint(raw, init);
    if (!checked.ok) return { ok: false, problem: typeof option === "function" ? `${checked.problem} (for region ${region})` : checked.problem };
    custom.push(checked.endpoint);
  }
  return { ok: true, custom };
}
