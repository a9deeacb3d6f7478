/**
 * The demo must never reach real AWS, whatever the shell exports: while it runs, every `AWS_*` variable is
 * removed, the shared files point nowhere and instance metadata is off. Every endpoint the demo uses is
 * passed explicitly; this only guards what the SDK would otherwise pick up on its own.
 */
import { join } from "node:path";
import { tmpdir } from "node:os";

/**
 * Isolates `process.env`; returns a function that restores it exactly.
 *
 * @example
 * ```ts
 * const restore = isolateAwsEnv();
 * try { await runTheDemo(); } finally { restore(); }
 * ```
 */
export function isolateAwsEnv(): () => void {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) {
    if (key.startsWith("AWS_") || key === "APP_ENV" || key.startsWith("KUBERNETES_")) delete process.env[key];
  }
  const nowhere = join(tmpdir(), `awscreds-demo-no-such-dir-${process.pid}`);
  process.env.AWS_CONFIG_FILE = join(nowhere, "config");
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(nowhere, "credentials");
  process.env.AWS_EC2_METADATA_DISABLED = "true";
  // The SDK's notice about its future Node.js support would interleave with the demo's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  return () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  };
}
