/**
 * The `SenderId` message attribute SQS reports: `AIDA…` (an IAM user's unique id) for long-lived keys,
 * `AROA…:session-name` for an assumed role. The ids are derived stably from the caller's ARN.
 */
import { createHash } from "node:crypto";
import type { KnownCredentials } from "../core/credential-store.js";

function uniqueId(prefix: string, seed: string): string {
  const digits = createHash("sha256").update(seed).digest("base64").replace(/[^A-Za-z0-9]/g, "").toUpperCase();
  return `${prefix}${digits.slice(0, 17)}`;
}

export function senderIdOf(credentials: Pick<KnownCredentials, "arn">): string {
  const assumed = /^arn:[^:]+:sts::\d+:assumed-role\/([^/]+)\/(.+)$/.exec(credentials.arn);
  if (assumed) return `${uniqueId("AROA", assumed[1]!)}:${assumed[2]!}`;
  return uniqueId("AIDA", credentials.arn);
}
