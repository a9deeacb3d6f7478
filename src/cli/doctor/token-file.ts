/**
 * Inspects the web identity token file: readable, age, decoded claims. Reads it with the provider's own
 * reader (same errors, same messages); the token itself never leaves this function.
 */
import { stat } from "node:fs/promises";
import { messageOf } from "../../shared/errors.js";
import { readWebIdentityToken } from "../../sources/token-file.js";
import { decodeJwtClaims } from "./jwt-claims.js";
import type { TokenReport } from "./report.js";

/**
 * What doctor reports of the token file at `path`.
 *
 * @example
 * ```ts
 * const report = await inspectTokenFile("/var/run/secrets/eks.amazonaws.com/serviceaccount/token", "AWS_WEB_IDENTITY_TOKEN_FILE", Date.now());
 * report.claims?.subject; // "system:serviceaccount:default:app"
 * ```
 */
export async function inspectTokenFile(path: string, from: string, now: number): Promise<TokenReport> {
  const report: TokenReport = { path, from, readable: false, problem: null, modifiedAt: null, ageSeconds: null, claims: null };
  try {
    const info = await stat(path);
    report.modifiedAt = info.mtime.toISOString();
    report.ageSeconds = Math.max(0, Math.round((now - info.mtimeMs) / 1000));
  } catch {
    // readWebIdentityToken below says why, in the provider's words.
  }
  let token: string;
  try {
    token = await readWebIdentityToken(path);
  } catch (error) {
    report.problem = messageOf(error);
    return report;
  }
  report.readable = true;
  const decoded = decodeJwtClaims(token, now);
  if (!decoded.ok) {
    report.problem = `The web identity token file ${path}: ${decoded.problem}. STS will reject it as InvalidIdentityToken.`;
    return report;
  }
  report.claims = decoded.claims;
  if (decoded.claims.expired) {
    report.problem =
      `The web identity token in ${path} expired at ${decoded.claims.expiresAt}, so STS will reject it (ExpiredToken). ` +
      `The kubelet rewrites the projected token well before it expires; a stale file means rotation stopped ` +
      `(check the projected service account token volume and the node's clock).`;
  }
  return report;
}
