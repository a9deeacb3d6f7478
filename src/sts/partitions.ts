/**
 * The SDK's partition table, loaded only when STS is about to be called (it comes with the SDK core,
 * which the STS client loads anyway), so importing awscreds stays light.
 */
import type * as SdkCoreClient from "@aws-sdk/core/client";
import { requireOrImport } from "../shared/lazy-require.js";
import type { PartitionLookup } from "./endpoint.js";

/**
 * The SDK's region → partition matcher (`partition()` of `@aws-sdk/core/client`).
 *
 * @example
 * ```ts
 * const partitionOf = await loadSdkPartitions();
 * partitionOf("cn-north-1").dnsSuffix; // "amazonaws.com.cn"
 * ```
 */
export async function loadSdkPartitions(): Promise<PartitionLookup> {
  const { partition } = await requireOrImport<typeof SdkCoreClient>("@aws-sdk/core/client", () => import("@aws-sdk/core/client"));
  return (region) => {
    const found = partition(region);
    return { name: found.name, dnsSuffix: found.dnsSuffix, supportsFIPS: found.supportsFIPS };
  };
}
