/**
 * Masking of access key ids for display. An access key id is not a secret, but showing it whole invites
 * copy-paste next to the secret; the first and last four characters are enough to match CloudTrail.
 */

/**
 * `ASIAXXXXXXXXXXXXWXYZ` → `ASIA…WXYZ`; short values are fully masked.
 *
 * @example
 * ```ts
 * maskAccessKeyId("ASIA1234567890ABCDEF"); // "ASIA…CDEF"
 * ```
 */
export function maskAccessKeyId(accessKeyId: string): string {
  return accessKeyId.length >= 12 ? `${accessKeyId.slice(0, 4)}…${accessKeyId.slice(-4)}` : "…";
}
