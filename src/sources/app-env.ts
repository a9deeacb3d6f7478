/**
 * The local/deployed decision. Pure: a function of the `appEnv` option, `APP_ENV` and `deployedEnvs`.
 */
import { credentialsError } from "../shared/errors.js";
import { readVar, type EnvVars } from "../shared/env.js";

/** Environments that use workload identity unless `deployedEnvs` says otherwise. */
export const DEFAULT_DEPLOYED_ENVS: readonly string[] = Object.freeze(["production", "staging", "integration"]);

/** `local`: explicit environment keys only. `deployed`: workload identity only. */
export type AppMode = "local" | "deployed";

export interface AppModeDecision {
  mode: AppMode;
  /** The environment name as given (trimmed), e.g. `Production`. */
  appEnv: string;
  /** Where it came from: `the appEnv option` or `APP_ENV`. */
  from: string;
  /** The deployed environment names compared against (normalized: trimmed, lower case). */
  deployedEnvs: readonly string[];
}

const normalize = (name: string): string => name.trim().toLowerCase();

/**
 * Decides local or deployed. The `appEnv` option wins over `APP_ENV`; both are compared ignoring case and
 * surrounding whitespace; anything that is not a deployed environment is local. An `appEnv` option that is
 * given but blank is an error, as a blank `APP_ENV` is (it does not fall back to `APP_ENV`).
 *
 * @throws CredentialsProviderError (never `tryNextLink`) when neither is set, naming `APP_ENV` (and saying
 * whether it is unset or blank), or when `deployedEnvs` is given but holds no name.
 *
 * @example
 * ```ts
 * decideAppMode({ env: { APP_ENV: " Production " } }).mode; // "deployed"
 * decideAppMode({ env: { APP_ENV: "dev" } }).mode;          // "local"
 * ```
 */
export function decideAppMode(input: { appEnv?: string; deployedEnvs?: readonly string[]; env: EnvVars }): AppModeDecision {
  const deployedEnvs = Object.freeze(
    [...new Set((input.deployedEnvs ?? DEFAULT_DEPLOYED_ENVS).map(normalize).filter((name) => name !== ""))],
  );
  if (deployedEnvs.length === 0) {
    // An empty list (often a config value split on commas) would silently make production local.
    throw credentialsError(
      `deployedEnvs is empty${input.deployedEnvs && input.deployedEnvs.length > 0 ? " (only blank names)" : ""}, so every ` +
        `APP_ENV, production included, would mean local mode. Pass the names of the deployed environments ` +
        `(e.g. ["production", "staging"]), or leave the option out for the defaults: ${DEFAULT_DEPLOYED_ENVS.join(", ")}.`,
      { tryNextLink: false },
    );
  }
  const option = input.appEnv?.trim();
  // A blank option is the same mistake as a blank APP_ENV: an error, never a silent fallback to APP_ENV.
  const appEnv = input.appEnv !== undefined ? option : readVar(input.env, "APP_ENV");
  if (!appEnv) {
    const deployedList = deployedEnvs.join(", ");
    const emptyOption = input.appEnv !== undefined ? " The appEnv option was given but is empty (APP_ENV is not used in its place)." : "";
    // Set to whitespace only (a templating accident) reads differently from unset: say which it is.
    const raw = input.env.APP_ENV;
    const state = raw === undefined ? "is not set" : raw === "" ? "is set but empty" : "is set but blank (only whitespace)";
    const what = input.appEnv !== undefined ? "The appEnv option is empty" : `APP_ENV ${state}`;
    throw credentialsError(
      `${what}, so awscreds cannot tell whether this process runs on a laptop or in a deployed ` +
        `environment.${emptyOption} Set APP_ENV (or pass the appEnv option) to the environment's name: one of ` +
        `${deployedList} to use the workload's identity (web identity token, container endpoint, instance role), ` +
        `or any other name such as "local" to use AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment.`,
      { tryNextLink: false },
    );
  }
  return {
    mode: deployedEnvs.includes(normalize(appEnv)) ? "deployed" : "local",
    appEnv,
    from: option ? "the appEnv option" : "APP_ENV",
    deployedEnvs,
  };
}
