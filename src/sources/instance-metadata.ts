/**
 * The instance role through IMDSv2, via the SDK's own `fromInstanceMetadata`, loaded only when used.
 * IMDSv1 fallback is disabled: a token-less metadata call is what SSRF attacks exploit.
 */
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { Logger } from "../shared/logger.js";
import { toSafeCredentials } from "../shared/safe-credentials.js";
import { credentialsError, messageOf } from "./errors.js";
import { readVar, type EnvVars } from "./env.js";

export interface InstanceMetadataSourceOptions {
  /** Per-request timeout. Default 1000 ms (the SDK's). */
  timeoutMs?: number;
  /** Retries of each metadata request. Default 1. */
  maxRetries?: number;
}

/** The IMDS endpoint variables the SDK's provider reads, always from `process.env`. */
const PROCESS_ENV_ONLY = ["AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"] as const;

/** The endpoint the SDK's provider will call, for descriptions. */
export function imdsEndpointLabel(): string {
  const endpoint = readVar(process.env, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
  if (endpoint) return endpoint;
  return readVar(process.env, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")?.toLowerCase() === "ipv6" ? "http://[fd00:ec2::254]" : "http://169.254.169.254";
}

/**
 * `undefined`, or why `env` and `process.env` disagree on the IMDS endpoint: the SDK's provider reads
 * those variables from `process.env` only, so an `env` option cannot redirect it, and must not seem to.
 */
export function imdsEnvMismatch(env: EnvVars): string | undefined {
  if (env === process.env) return undefined;
  for (const name of PROCESS_ENV_ONLY) {
    if (readVar(env, name) !== readVar(process.env, name)) {
      return `${name} differs between the env option and process.env; the SDK's instance-metadata provider reads it from process.env only, so set it there`;
    }
  }
  return undefined;
}

/**
 * Credentials of the instance role from IMDSv2.
 *
 * @example
 * ```ts
 * const credentials = fromInstanceRole({ env: process.env, logger: console });
 * ```
 */
export function fromInstanceRole(init: InstanceMetadataSourceOptions & { env: EnvVars; logger: Logger }): AwsCredentialIdentityProvider {
  return async () => {
    const mismatch = imdsEnvMismatch(init.env);
    if (mismatch) throw credentialsError(`Instance metadata: ${mismatch}.`, { tryNextLink: false, logger: init.logger });
    const { fromInstanceMetadata } = await import("@aws-sdk/credential-providers");
    const provider = fromInstanceMetadata({
      timeout: init.timeoutMs ?? 1_000,
      maxRetries: init.maxRetries ?? 1,
      ec2MetadataV1Disabled: true,
      logger: init.logger,
    });
    try {
      return toSafeCredentials(await provider());
    } catch (error) {
      throw credentialsError(
        `Instance metadata (IMDSv2) at ${imdsEndpointLabel()} gave no credentials: ${messageOf(error)}. On EC2, check ` +
          `that the instance has an instance profile with a role, that the metadata service is enabled with a hop ` +
          `limit of 2 or more for containers, and that the instance is reachable at that address.`,
        { tryNextLink: false, logger: init.logger, cause: error },
      );
    }
  };
}
