/**
 * The logger the SDK's instance-metadata provider gets. When the IMDSv2 token request fails, the SDK logs
 * "AWS SDK Instance Metadata using v1 fallback" (and, checking whether v1 is allowed, "AWS_EC2_METADATA_V1_DISABLED
 * not set in env, checking config file next") before it refuses the fallback, because awscreds turns IMDSv1
 * off. Printed right before awscreds' error ("awscreds never falls back to IMDSv1"), the SDK's line reads as
 * a contradiction. It is relabelled to what happens; the check's line is dropped.
 */
import type { Logger } from "../shared/logger.js";

/** What awscreds logs instead of the SDK's "using v1 fallback". */
export const IMDS_V1_RELABEL =
  "awscreds: the IMDSv2 session token request failed; the SDK's IMDSv1 fallback is disabled, so no IMDSv1 request is made";

const isV1Fallback = (content: unknown[]): boolean =>
  content.some((part) => typeof part === "string" && /v1 fallback/i.test(part)) &&
  content.some((part) => typeof part === "string" && /Instance Metadata/i.test(part));

const isV1Check = (content: unknown[]): boolean =>
  typeof content[0] === "string" && content[0].includes("AWS_EC2_METADATA_V1_DISABLED not set in env");

/**
 * `logger` with the SDK's IMDSv1 fallback lines relabelled (and the v1-check line dropped).
 *
 * @example
 * ```ts
 * fromInstanceMetadata({ ec2MetadataV1Disabled: true, logger: imdsLogger(console) });
 * ```
 */
export function imdsLogger(logger: Logger): Logger {
  return {
    debug: (...content: unknown[]) => {
      if (isV1Check(content)) return;
      if (isV1Fallback(content)) logger.debug(IMDS_V1_RELABEL);
      else logger.debug(...content);
    },
    info: (...content: unknown[]) => logger.info(...content),
    warn: (...content: unknown[]) => logger.warn(...content),
    error: (...content: unknown[]) => logger.error(...content),
  };
}
