/**
 * Keeps the bench on loopback: no AWS_* variable of the developer's shell leaks into a provider, no shared
 * config file under ~/.aws is read, and the SDK's chain cannot fall through to a real metadata endpoint.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Variables that steer credential resolution; removed before anything runs. */
const STEERING = /^(AWS_|APP_ENV$|KUBERNETES_SERVICE_HOST$|ECS_CONTAINER_METADATA_URI)/;

/**
 * A copy of `env` without any variable that could select real credentials or endpoints.
 *
 * @example
 * ```ts
 * scrubbedEnv({ PATH: "/bin", AWS_PROFILE: "prod" }); // { PATH: "/bin" }
 * ```
 */
export function scrubbedEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !STEERING.test(k)));
}

/** Paths of shared config files that do not exist (inside a fresh empty directory). */
export function emptySharedConfigFiles(): { AWS_CONFIG_FILE: string; AWS_SHARED_CREDENTIALS_FILE: string } {
  const dir = mkdtempSync(join(tmpdir(), "awscreds-bench-"));
  return { AWS_CONFIG_FILE: join(dir, "config"), AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials") };
}

/**
 * Removes every steering variable from `process.env` and points the shared config files at nothing.
 * Called once when the bench starts.
 *
 * @example
 * ```ts
 * isolateProcessEnv();
 * ```
 */
export function isolateProcessEnv(): void {
  for (const key of Object.keys(process.env)) if (STEERING.test(key)) delete process.env[key];
  Object.assign(process.env, emptySharedConfigFiles(), {
    AWS_EC2_METADATA_DISABLED: "true",
    // The SDK's notice that Node 20 support ends would otherwise interleave with the tables.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  });
}

/**
 * Sets variables for the duration of `fn` and restores the previous values afterwards (the SDK default
 * chain reads `process.env` at call time, so scenarios that run it set its environment this way).
 *
 * @example
 * ```ts
 * await withEnv({ AWS_ROLE_ARN: roleArn }, async () => { ... });
 * ```
 */
export async function withEnv<T>(vars: Readonly<Record<string, string>>, fn: () => Promise<T>): Promise<T> {
  const previous = new Map(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of previous) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
