/**
 * Access key ids and secret keys shaped like AWS's: `AKIA`/`ASIA` and 16 characters of base32
 * (`A-Z2-7`) that encode the owning account as AWS's do (so `GetAccessKeyInfo` can read it back), and
 * 40-character secrets from the base64 alphabet. Clients and tools that validate key formats accept them.
 */
import { randomBytes } from "node:crypto";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const ACCESS_KEY_ID = /^(AKIA|ASIA)([A-Z2-7]{16})$/;

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/**
 * A new access key id for `account` (12 digits): bits 46..7 of the first six decoded bytes carry the
 * account number, the rest is random.
 *
 * @example
 * ```ts
 * const id = makeAccessKeyId("ASIA", "123456789012"); // "ASIA…" (20 characters)
 * accountOfAccessKeyId(id); // "123456789012"
 * ```
 */
export function makeAccessKeyId(prefix: "AKIA" | "ASIA", account: string): string {
  const bytes = randomBytes(10);
  const accountBits = /^\d{12}$/.test(account) ? BigInt(account) : 0n;
  const head = ((BigInt(bytes[0]! & 0x80) << 40n) | (accountBits << 7n) | BigInt(bytes[5]! & 0x7f)) & 0xffffffffffffn;
  for (let i = 0; i < 6; i++) bytes[i] = Number((head >> BigInt(8 * (5 - i))) & 0xffn);
  return `${prefix}${base32(bytes)}`;
}

/** The account an AWS-format access key id encodes; `undefined` for ids not in that format. */
export function accountOfAccessKeyId(accessKeyId: string): string | undefined {
  const m = ACCESS_KEY_ID.exec(accessKeyId);
  if (!m) return undefined;
  let value = 0n;
  for (const char of m[2]!) value = (value << 5n) | BigInt(BASE32.indexOf(char));
  // 80 bits; the account sits in bits 46..7 of the top 48.
  const head = value >> 32n;
  return ((head & 0x7fffffffff80n) >> 7n).toString().padStart(12, "0");
}

/** A 40-character secret access key from the base64 alphabet, as AWS issues. */
export function makeSecretAccessKey(): string {
  return randomBytes(30).toString("base64");
}
