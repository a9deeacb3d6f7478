import { join } from "node:path";
import { tmpdir } from "node:os";

/**
 * Clears every `AWS_*` variable (so nothing from the machine leaks into a test or points it at real AWS),
 * points the shared config files at paths that do not exist, disables the default chain's IMDS
 * lookup, then applies `vars`. Returns a function that
 * puts `process.env` back exactly as it was.
 */
export function isolateAwsEnv(vars: Record<string, string> = {}): () => void {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (key.startsWith("AWS_")) delete process.env[key];
  const nowhere = join(tmpdir(), `awscreds-no-such-dir-${process.pid}`);
  process.env.AWS_CONFIG_FILE = join(nowhere, "config");
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(nowhere, "credentials");
  // Should any default chain run by mistake, it must not reach for 169.254.169.254.
  process.env.AWS_EC2_METADATA_DISABLED = "true";
  Object.assign(process.env, vars);
  return () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  };
}
