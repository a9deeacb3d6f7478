/**
 * The STS endpoint of a region. Pure: the partition table is passed in (the SDK's own, see
 * `partitions.ts`), so every partition's DNS suffix (`amazonaws.com`, `amazonaws.com.cn`, GovCloud, ISO…)
 * comes from the same data the SDK resolves endpoints with.
 */

/** What the endpoint needs to know of a region's partition (a subset of the SDK's `EndpointPartition`). */
export interface PartitionInfo {
  /** `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, … */
  name: string;
  /** `amazonaws.com`, `amazonaws.com.cn`, `c2s.ic.gov`, … */
  dnsSuffix: string;
  supportsFIPS: boolean;
}

/** Region → partition, e.g. the SDK's `partition()` from `@aws-sdk/core/client`. */
export type PartitionLookup = (region: string) => PartitionInfo;

export type EndpointResult = { ok: true; endpoint: string; partition: string } | { ok: false; problem: string };

/**
 * `https://sts.<region>.<dns suffix>`, or the FIPS endpoint, following STS's endpoint rules with the global
 * endpoint switched off: us-east-1 gets `sts.us-east-1.amazonaws.com` too, whatever
 * `AWS_STS_REGIONAL_ENDPOINTS` says.
 *
 * @example
 * ```ts
 * regionalStsEndpoint("cn-north-1", { partitionOf: partition });
 * // { ok: true, endpoint: "https://sts.cn-north-1.amazonaws.com.cn", partition: "aws-cn" }
 * ```
 */
export function regionalStsEndpoint(region: string, init: { useFipsEndpoint?: boolean; partitionOf: PartitionLookup }): EndpointResult {
  const partition = init.partitionOf(region);
  if (!init.useFipsEndpoint) {
    return { ok: true, endpoint: `https://sts.${region}.${partition.dnsSuffix}`, partition: partition.name };
  }
  if (!partition.supportsFIPS) {
    return { ok: false, problem: `useFipsEndpoint is set, but partition ${partition.name} (region ${region}) has no FIPS endpoints` };
  }
  // STS's rules: in GovCloud the regular regional endpoints are the FIPS ones.
  if (partition.name === "aws-us-gov") {
    return { ok: true, endpoint: `https://sts.${region}.amazonaws.com`, partition: partition.name };
  }
  return { ok: true, endpoint: `https://sts-fips.${region}.${partition.dnsSuffix}`, partition: partition.name };
}
