/**
 * A region the SDK does not know is usually a typo (`eu-west-99`), and passes every syntax check: the
 * STS (and SQS…) hostnames built from it then fail at runtime with a DNS error. Doctor says so up front.
 */
import type * as SdkCoreClient from "@aws-sdk/core/client";
import { requireOrImport } from "../../shared/lazy-require.js";
import type { Warning } from "./report.js";

/**
 * The `unknown-region` warning when `region` is not listed in the SDK's partition data (the SDK still
 * builds hostnames for it, from the partition's name pattern); undefined for a listed region.
 *
 * @example
 * ```ts
 * await unknownRegionWarning({ region: "eu-west-99", from: "AWS_REGION" }); // { code: "unknown-region", … }
 * await unknownRegionWarning({ region: "eu-west-1", from: "AWS_REGION" });  // undefined
 * ```
 */
export async function unknownRegionWarning(region: { region: string; from: string }): Promise<Warning | undefined> {
  const { partition } = await requireOrImport<typeof SdkCoreClient>("@aws-sdk/core/client", () => import("@aws-sdk/core/client"));
  const found = partition(region.region);
  // Listed regions carry their description ("Europe (Ireland)"); a pattern match carries only the partition.
  if ("description" in found) return undefined;
  return {
    code: "unknown-region",
    message:
      `${region.from} is "${region.region}", which is not a region in the AWS SDK's partition data (partition ` +
      `${found.name}): its endpoints, such as https://sts.${region.region}.${found.dnsSuffix}, will most likely not ` +
      `resolve, and every call fails with a DNS error (ENOTFOUND). Check the spelling (e.g. eu-west-1); if the region ` +
      `is newer than the installed SDK, update the @aws-sdk packages.`,
  };
}
