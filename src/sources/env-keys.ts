/**
 * Local mode's only source: keys exported in the environment. Never a shared file, never an instance role.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import type { Logger } from "../shared/logger.js";
import { toSafeCredentials } from "../shared/safe-credentials.js";
import { nearDeployedName } from "./app-env-near-miss.js";
import { credentialsError } from "../shared/errors.js";
import { readVar, resolveEnv, type EnvOption, type EnvVars } from "../shared/env.js";

/** What the environment holds: keys, or the reason there are none (no secrets in it). */
export type LocalKeysReading =
  | { ok: true; credentials: AwsCredentialIdentity }
  | { ok: false; problem: string };

/** Variables of the shared-file machinery that local mode ignores on purpose (named in errors). */
const IGNORED_FILE_VARIABLES = ["AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"] as const;

/**
 * Reads `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and the optional `AWS_SESSION_TOKEN`,
 * `AWS_CREDENTIAL_EXPIRATION` and `AWS_ACCOUNT_ID`. Pure.
 *
 * @example
 * ```ts
 * readLocalKeys({ AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" }).ok; // true
 * ```
 */
export function readLocalKeys(env: EnvVars): LocalKeysReading {
  const accessKeyId = readVar(env, "AWS_ACCESS_KEY_ID");
  const secretAccessKey = readVar(env, "AWS_SECRET_ACCESS_KEY");
  const sessionToken = readVar(env, "AWS_SESSION_TOKEN");
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    const missing = [accessKeyId === undefined && "AWS_ACCESS_KEY_ID", secretAccessKey === undefined && "AWS_SECRET_ACCESS_KEY"]
      .filter(Boolean)
      .join(" and ");
    const half = accessKeyId !== undefined || secretAccessKey !== undefined;
    return { ok: false, problem: `${missing} ${missing.includes(" and ") ? "are" : "is"} not set${half ? " (the keys are only half set)" : ""}` };
  }
  const expirationText = readVar(env, "AWS_CREDENTIAL_EXPIRATION");
  const expiration = expirationText === undefined ? undefined : new Date(expirationText);
  if (expiration !== undefined && Number.isNaN(expiration.getTime())) {
    return { ok: false, problem: `AWS_CREDENTIAL_EXPIRATION is not a date (expected ISO 8601, e.g. 2030-01-01T00:00:00Z)` };
  }
  const accountId = readVar(env, "AWS_ACCOUNT_ID");
  const credentials: AwsCredentialIdentity = {
    accessKeyId,
    secretAccessKey,
    ...(sessionToken !== undefined && { sessionToken }),
    ...(expiration !== undefined && { expiration }),
    ...(accountId !== undefined && { accountId }),
  };
  return { ok: true, credentials };
}

/** The full, actionable message for missing local keys. */
export function localKeysErrorMessage(problem: string, context: { appEnv?: string; env: EnvVars; deployedEnvs?: readonly string[] }): string {
  const where = context.appEnv !== undefined ? ` (APP_ENV="${context.appEnv}")` : "";
  const ignored = IGNORED_FILE_VARIABLES.filter((name) => readVar(context.env, name) !== undefined);
  const ignoredNote = ignored.length > 0 ? ` ${ignored.join(", ")} ${ignored.length > 1 ? "are" : "is"} set but ignored in local mode.` : "";
  const meant = context.appEnv !== undefined && context.deployedEnvs ? nearDeployedName(context.appEnv, context.deployedEnvs) : undefined;
  const deployed = meant !== undefined
    ? ` APP_ENV="${context.appEnv}" is close to a deployed environment's name: did you mean ${meant}? Deployed mode uses the workload's identity instead of keys.`
    : context.deployedEnvs && context.deployedEnvs.length > 0
      ? ` If this process runs in a deployed environment, set APP_ENV to one of: ${context.deployedEnvs.join(", ")}.`
      : "";
  return (
    `Local mode${where}: ${problem}. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for ` +
    `temporary keys); for LocalStack, AWS_ACCESS_KEY_ID=test and AWS_SECRET_ACCESS_KEY=test work. In local mode ` +
    `shared files (~/.aws/credentials, ~/.aws/config) and instance roles are never used, so a laptop cannot ` +
    `silently run with someone's real keys.${ignoredNote}${deployed}`
  );
}

export interface LocalEnvKeysOptions extends EnvOption {
  logger?: Logger;
  /** Named in errors. */
  appEnv?: string;
  /** Named in errors ("set APP_ENV to one of …"). */
  deployedEnvs?: readonly string[];
}

/**
 * Credentials from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`), read on every call.
 * Missing keys are a `CredentialsProviderError` with `tryNextLink: false` that says what to set.
 *
 * @example
 * ```ts
 * const credentials = fromLocalEnvKeys({ env: { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" } });
 * ```
 */
export function fromLocalEnvKeys(options: LocalEnvKeysOptions = {}): AwsCredentialIdentityProvider {
  return async () => {
    const env = resolveEnv(options.env);
    const reading = readLocalKeys(env);
    if (!reading.ok) {
      throw credentialsError(localKeysErrorMessage(reading.problem, { ...options, env }), {
        tryNextLink: false,
        logger: options.logger,
      });
    }
    return toSafeCredentials(reading.credentials);
  };
}
