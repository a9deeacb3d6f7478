/**
 * The instance role through IMDSv2, via the SDK's own `fromInstanceMetadata`, loaded only when used.
 * IMDSv1 fallback is disabled: a token-less metadata call is what SSRF attacks exploit.
 */
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { Logger } from "../shared/logger.js";
import { toSafeCredentials } from "../shared/safe-credentials.js";
import { credentialsError, messageOf } from "../shared/errors.js";
import { readVar, type EnvVars } from "../shared/env.js";
import { imdsLogger } from "./imds-logger.js";
import { loadSdkProviders } from "./sdk-providers.js";

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
    const { fromInstanceMetadata } = await loadSdkProviders();
    const provider = fromInstanceMetadata({
      timeout: init.timeoutMs ?? 1_000,
      maxRetries: init.maxRetries ?? 1,
      ec2MetadataV1Disabled: true,
      logger: imdsLogger(init.logger),
    });
    try {
      return toSafeCredentials(await provider());
    } catch (error) {
      throw credentialsError(
        `Instance metadata (IMDSv2) at ${imdsEndpointLabel()} gave no credentials: ${imdsProblem(error)}. On EC2, check ` +
          `that the instance has an instance profile with a role, that the metadata service is enabled with a hop ` +
          `limit of 2 or more for containers, and that the instance is reachable at that address.`,
        { tryNextLink: false, logger: init.logger, cause: error },
      );
    }
  };
}

/**
 * What went wrong, in words that point at the cause. When the IMDSv2 session token request fails
 * (nothing answers: not EC2, or a hop limit of 1 seen from a container), the SDK's provider tries the
 * IMDSv1 fallback, which is off here, and reports only that the fallback "has been blocked by AWS SDK
 * configuration" — true, but it sends people looking at their configuration instead of the network.
 */
function imdsProblem(error: unknown): string {
  if (error instanceof Error && error.name === "InstanceMetadataV1FallbackError") {
    return (
      "the IMDSv2 session token request (PUT /latest/api/token) got no answer or was refused, and awscreds never " +
      "falls back to IMDSv1. This process is probably not on EC2, or cannot reach the metadata service from here"
    );
  }
  // The sentence goes on after this; drop the SDK's own final period.
  return messageOf(error).replace(/\.+$/, "");
}
