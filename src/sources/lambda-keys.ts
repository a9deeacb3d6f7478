/**
 * AWS Lambda's workload identity: the execution role's keys, which Lambda puts in `AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` of every execution environment (without an expiration
 * variable; Lambda replaces the environment before they run out). Used by the deployed chain only where
 * the deployment matrix says the process is on Lambda; anywhere else, keys in a deployed environment are
 * stray and refused.
 */
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { Logger } from "../shared/logger.js";
import { toSafeCredentials } from "../shared/safe-credentials.js";
import { readLocalKeys } from "./env-keys.js";
import { credentialsError } from "../shared/errors.js";
import type { EnvVars } from "../shared/env.js";

/**
 * Whose keys these are, in words (no secret): what `describe()` and a refresher's `status().identity` say.
 *
 * @example
 * ```ts
 * lambdaKeysOwner("orders-handler");
 * // 'the execution role of AWS Lambda function "orders-handler" (keys Lambda sets in AWS_ACCESS_KEY_ID, …)'
 * ```
 */
export function lambdaKeysOwner(functionName: string | undefined): string {
  const fn = functionName !== undefined ? `AWS Lambda function "${functionName}"` : "this AWS Lambda function";
  return (
    `the execution role of ${fn} (keys Lambda sets in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; ` +
    `they carry no expiration, so a refresher fetches them once)`
  );
}

/**
 * The execution role's keys, read from `env` on every call (cheap, and whatever the runtime holds now).
 *
 * @example
 * ```ts
 * const credentials = fromLambdaExecutionRole({ env: process.env, logger: console, functionName: process.env.AWS_LAMBDA_FUNCTION_NAME });
 * ```
 */
export function fromLambdaExecutionRole(init: { env: EnvVars; logger: Logger; functionName: string | undefined }): AwsCredentialIdentityProvider {
  return async () => {
    const reading = readLocalKeys(init.env);
    if (!reading.ok) {
      throw credentialsError(
        `AWS Lambda (function ${init.functionName ?? "?"}): ${reading.problem}. Lambda sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY ` +
          `and AWS_SESSION_TOKEN from the function's execution role; if the function's code or a layer removed or overwrote them, ` +
          `stop it from doing so.`,
        { tryNextLink: false, logger: init.logger },
      );
    }
    return toSafeCredentials(reading.credentials);
  };
}
