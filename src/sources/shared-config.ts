/**
 * Shared config and credentials files, in deployed mode only and only when the `sharedConfig` option asks
 * for them (e.g. an on-premises host provisioned with a credentials file). Uses the SDK's own `fromIni`.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { Logger } from "../shared/logger.js";
import { toSafeCredentials } from "../shared/safe-credentials.js";
import { credentialsError, messageOf, tryNextLinkOf } from "../shared/errors.js";
import { readVar, type EnvVars } from "../shared/env.js";
import { loadSdkProviders } from "./sdk-providers.js";

/** The files and profile that will be read. */
export interface SharedConfigSettings {
  profile: string;
  profileFrom: string;
  credentialsFile: string;
  configFile: string;
}

/**
 * Profile from the option, `AWS_PROFILE`, else `default`; files from `AWS_SHARED_CREDENTIALS_FILE` and
 * `AWS_CONFIG_FILE`, else under the home directory. Computed here (not left to the SDK) so that the `env`
 * option decides, not `process.env`.
 */
export function readSharedConfigSettings(option: { profile?: string }, env: EnvVars): SharedConfigSettings {
  const fromOption = option.profile?.trim();
  const fromEnv = readVar(env, "AWS_PROFILE");
  const home = readVar(env, "HOME") ?? readVar(env, "USERPROFILE") ?? homedir();
  return {
    profile: fromOption || fromEnv || "default",
    profileFrom: fromOption ? "the sharedConfig.profile option" : fromEnv ? "AWS_PROFILE" : "default",
    credentialsFile: readVar(env, "AWS_SHARED_CREDENTIALS_FILE") ?? join(home, ".aws", "credentials"),
    configFile: readVar(env, "AWS_CONFIG_FILE") ?? join(home, ".aws", "config"),
  };
}

/**
 * Credentials of a shared-file profile. A profile that is not there is a `tryNextLink: true` error (the
 * chain moves on); anything else stops it.
 *
 * @example
 * ```ts
 * const credentials = fromSharedConfigProfile({ settings: readSharedConfigSettings({}, process.env), logger: console });
 * ```
 */
export function fromSharedConfigProfile(init: { settings: SharedConfigSettings; logger: Logger }): AwsCredentialIdentityProvider {
  const { settings } = init;
  return async () => {
    const { fromIni } = await loadSdkProviders();
    const provider = fromIni({
      profile: settings.profile,
      filepath: settings.credentialsFile,
      configFilepath: settings.configFile,
      logger: init.logger,
    });
    try {
      return toSafeCredentials(await provider());
    } catch (error) {
      const missing = tryNextLinkOf(error) === true;
      throw credentialsError(
        `Shared config profile "${settings.profile}" (${settings.profileFrom}) gave no credentials: ${messageOf(error)}`,
        { tryNextLink: missing, logger: init.logger, cause: error },
      );
    }
  };
}
