/**
 * What a default session name is made of, read from this process: the host name (in Kubernetes, the pod
 * name) and a short random suffix. The I/O half of `session-name.ts`, which stays pure.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/**
 * @example
 * ```ts
 * defaultSessionName(sessionNameInputs()); // "orders-api-7d9f8b6c5-x2k4p-k3j9q1"
 * ```
 */
export function sessionNameInputs(): { hostname: string | undefined; random: string } {
  return { hostname: safeHostname(), random: randomBytes(4).readUInt32BE(0).toString(36).padStart(6, "0").slice(-6) };
}

function safeHostname(): string | undefined {
  try {
    return hostname();
  } catch {
    // Some sandboxes refuse uv_os_gethostname; the name then falls back to "awscreds".
    return undefined;
  }
}
