/**
 * The container credentials endpoint (ECS task role, EKS Pod Identity), through the SDK's own `fromHttp`,
 * loaded only when this source is used. Every variable is handed to it explicitly, so the `env` option
 * is honoured and `process.env` cannot leak in.
 */
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { Logger } from "../shared/logger.js";
import { toSafeCredentials } from "../shared/safe-credentials.js";
import { credentialsError, messageOf } from "./errors.js";
import { readVar, type EnvVars } from "./env.js";
import { loadSdkProviders } from "./sdk-providers.js";

/** Where ECS serves `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`. */
const ECS_HOST = "http://169.254.170.2";

export interface ContainerSourceOptions {
  /**
   * Per-attempt timeout, also the pause between attempts (the SDK's semantics). Default 1000 ms. An endpoint
   * that accepts the connection and never answers fails after `2 × (maxRetries + 1) × timeoutMs` (8 s by default).
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
 * Credentials from the container endpoint, via the SDK's `fromHttp` (which checks the URL is HTTPS, loopback
 * or the ECS/EKS link-local host, and re-reads `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` on each call).
 *
 * @example
 * ```ts
 * const credentials = fromContainerEndpoint({ env: process.env });
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
    const { fromHttp } = await loadSdkProviders();
    // "" rather than undefined: fromHttp falls back to process.env for undefined values.
    const provider = fromHttp({
      awsContainerCredentialsRelativeUri: readVar(init.env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") ?? "",
      awsContainerCredentialsFullUri: readVar(init.env, "AWS_CONTAINER_CREDENTIALS_FULL_URI") ?? "",
      awsContainerAuthorizationToken: readVar(init.env, "AWS_CONTAINER_AUTHORIZATION_TOKEN") ?? "",
      awsContainerAuthorizationTokenFile: readVar(init.env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") ?? "",
      timeout: init.timeoutMs ?? 1_000,
      maxRetries: init.maxRetries ?? 3,
      logger: init.logger,
    });
    try {
      return toSafeCredentials(await withDeadline(provider(), attemptBudgetMs(init), settings.endpoint));
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

/**
 * The most the SDK's `fromHttp` should need: every attempt at its timeout plus the pause between attempts,
 * twice over. It is needed because `fromHttp` passes its timeout to the HTTP handler as a `requestTimeout`
 * that only logs a warning (no `throwOnRequestTimeout`), so an endpoint that accepts the connection and
 * never answers would otherwise hold the caller forever.
 */
function attemptBudgetMs(init: ContainerSourceOptions): number {
  const timeoutMs = init.timeoutMs ?? 1_000;
  const attempts = (init.maxRetries ?? 3) + 1;
  return 2 * attempts * timeoutMs;
}

function withDeadline<T>(work: Promise<T>, budgetMs: number, endpoint: string | undefined): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${budgetMs} ms from ${endpoint ?? "the endpoint"} (it accepted the connection but never replied)`)),
      budgetMs,
    );
    // The caller is waiting on this promise; the timer itself must not keep an idle process alive.
    timer.unref();
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
