/**
 * Which shared config/credentials files exist — by `stat` only: doctor never opens or reads them. Used in
 * deployed mode only (see traps.ts for why local mode does not look at all).
 */
import { stat } from "node:fs/promises";
import type { EnvVars } from "../../shared/env.js";
import { readSharedConfigSettings } from "../../sources/shared-config.js";

export interface SharedFilesFound {
  /** Paths of the credentials file and config file that exist as files. */
  credentialsFile: string | undefined;
  configFile: string | undefined;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * The shared files the SDK's default chain would read (`AWS_SHARED_CREDENTIALS_FILE`/`AWS_CONFIG_FILE`,
 * else under the home directory) that exist.
 *
 * @example
 * ```ts
 * const found = await findSharedFiles(process.env);
 * if (found.credentialsFile) console.warn(`${found.credentialsFile} is present`);
 * ```
 */
export async function findSharedFiles(env: EnvVars): Promise<SharedFilesFound> {
  const settings = readSharedConfigSettings({}, env);
  const [credentials, config] = await Promise.all([isFile(settings.credentialsFile), isFile(settings.configFile)]);
  return {
    credentialsFile: credentials ? settings.credentialsFile : undefined,
    configFile: config ? settings.configFile : undefined,
  };
}
