/**
 * The container credentials endpoint (ECS task role, EKS Pod Identity): `fromHttp`'s rules on the SDK's HTTP
 * handler, loaded only when this source is used. Every variable comes from `env`, so the `env` option is
 * honoured and `process.env` cannot leak in.
 */
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { Logger } from "../shared/logger.js";
import { toSafeCredentials } from "../shared/safe-credentials.js";
import { credentialsError, messageOf } from "../shared/errors.js";
import { readVar, type EnvVars } from "../shared/env.js";
import { containerUrlProblem, fetchContainerCredentials } from "./container-request.js";

/** Where ECS serves `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`. */
const ECS_HOST = "http://169.254.170.2";

export interface ContainerSourceOptions {
  /**
   * Per-attempt timeout, also the pause between attempts (the SDK's semantics). Default 1000 ms. An endpoint
   * that accepts the connection and never answers fails after `(2 × maxRetries + 1) × timeoutMs` (7 s by
   * default), each attempt's request aborted at its timeout.
   */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 3 (the SDK's). */
  maxRetries?: number;
}

/** The container endpoint settings found in `env` (never the authorization token's value). */
export interface ContainerSettings {
  configured: boolean;
  /** Which variable configures it. */
  from?: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" | "AWS_CONTAINER_CREDENTIALS_FULL_URI";
  /** Printable endpoint: the full URI, or the ECS host for a relative URI (its path is per task). */
  endpoint?: string;
  /** `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`, `AWS_CONTAINER_AUTHORIZATION_TOKEN` or none. */
  authorization?: string;
}

/**
 * Reads the container endpoint variables. Pure.
 *
 * @example
 * ```ts
 * readContainerSettings({ AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials" }).configured; // true
 * ```
 */
export function readContainerSettings(env: EnvVars): ContainerSettings {
  const relative = readVar(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  const full = readVar(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
  const authorization = readVar(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
    ? "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
    : readVar(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN")
      ? "AWS_CONTAINER_AUTHORIZATION_TOKEN"
      : "none";
  if (relative) return { configured: true, from: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", endpoint: ECS_HOST, authorization };
  if (full) return { configured: true, from: "AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint: full, authorization };
  return { configured: false };
}

/**
 * Credentials from the container endpoint, with the SDK's `fromHttp` rules (the URL must be HTTPS, loopback
 * or the ECS/EKS link-local host; `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` is re-read on each call), on the
 * SDK's HTTP handler. Unlike `fromHttp`, every attempt is aborted at `timeoutMs`: an endpoint that accepts
 * the connection and never answers fails after `(maxRetries + 1) × timeoutMs` plus the pauses between
 * attempts, and leaves no open socket behind. The handler's warnings go to `logger`.
 *
 * @example
 * ```ts
 * const credentials = fromContainerEndpoint({ env: process.env, logger: console });
 * ```
 */
export function fromContainerEndpoint(init: ContainerSourceOptions & { env: EnvVars; logger: Logger }): AwsCredentialIdentityProvider {
  const settings = readContainerSettings(init.env);
  return async () => {
    if (!settings.configured) {
      throw credentialsError(
        "Container credentials are not configured: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set.",
        { tryNextLink: true, logger: init.logger },
      );
    }
    const relative = readVar(init.env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    try {
      const url = new URL(relative !== undefined ? `${ECS_HOST}${relative}` : readVar(init.env, "AWS_CONTAINER_CREDENTIALS_FULL_URI")!);
      const problem = containerUrlProblem(url);
      if (problem !== undefined) throw new Error(problem);
      const credentials = await fetchContainerCredentials({
        url,
        authorizationToken: readVar(init.env, "AWS_CONTAINER_AUTHORIZATION_TOKEN"),
        authorizationTokenFile: readVar(init.env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
        timeoutMs: init.timeoutMs ?? 1_000,
        maxRetries: init.maxRetries ?? 3,
        logger: init.logger,
      });
      return toSafeCredentials(credentials);
    } catch (error) {
      throw credentialsError(
        `The container credentials endpoint ${settings.endpoint} (${settings.from}) gave no credentials: ${messageOf(error)}. ` +
          `On ECS, check that the task definition has a task role (taskRoleArn); on EKS Pod Identity, check the pod ` +
          `identity association of the service account and that the eks-pod-identity-agent add-on runs on the node.`,
        { tryNextLink: false, logger: init.logger, cause: error },
      );
    }
  };
}
