/**
 * The SDK's partition table, loaded only when STS is about to be called (it comes with the SDK core,
 * which the STS client loads anyway), so importing awscreds stays light.
 */
import type * as SdkCoreClient from "@aws-sdk/core/client";
import { canRequire, lazyRequire, requireOrImport } from "../shared/lazy-require.js";
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
  return lookupOf(await requireOrImport<typeof SdkCoreClient>("@aws-sdk/core/client", () => import("@aws-sdk/core/client")));
}

/**
 * The same table loaded synchronously (for checks at construction), or undefined when it cannot be: when
 * awscreds was bundled without `@aws-sdk/core` beside it, only `loadSdkPartitions()` can reach it.
 *
 * @example
 * ```ts
 * sdkPartitionsNow()?.("us-gov-west-1").name; // "aws-us-gov"
 * ```
 */
export function sdkPartitionsNow(): PartitionLookup | undefined {
  return canRequire("@aws-sdk/core/client") ? lookupOf(lazyRequire<typeof SdkCoreClient>("@aws-sdk/core/client")) : undefined;
}

function lookupOf({ partition }: typeof SdkCoreClient): PartitionLookup {
  return (region) => {
    const found = partition(region);
    return { name: found.name, dnsSuffix: found.dnsSuffix, supportsFIPS: found.supportsFIPS };
  };
}
