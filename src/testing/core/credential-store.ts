import { randomBytes } from "node:crypto";
import { makeAccessKeyId, makeSecretAccessKey } from "./access-keys.js";

/** Credentials the fake knows: issued by its STS, IMDS or container endpoint, or registered static keys. */
export interface KnownCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Epoch ms after which SigV4-verifying services reject these credentials as expired. */
  expiresAt?: number;
  /** Who these credentials are: the assumed-role ARN, for GetCallerIdentity. */
  arn: string;
  account: string;
  /** Which part of the fake issued them: `sts`, `imds`, `container` or `static`. */
  issuer: "sts" | "imds" | "container" | "static";
}

/** Shared between the fake services so SQS can verify what STS issued. */
export class CredentialStore {
  readonly #byKeyId = new Map<string, KnownCredentials>();

  get(accessKeyId: string): KnownCredentials | undefined {
    return this.#byKeyId.get(accessKeyId);
  }

  add(credentials: KnownCredentials): KnownCredentials {
    this.#byKeyId.set(credentials.accessKeyId, credentials);
    return credentials;
  }

  /** Issues new temporary credentials (an `ASIA…` key id encoding `account`) living `lifetimeSeconds`. */
  issue(init: { lifetimeSeconds: number; arn: string; account: string; issuer: KnownCredentials["issuer"]; now: number }): KnownCredentials {
    return this.add({
      accessKeyId: makeAccessKeyId("ASIA", init.account),
      secretAccessKey: makeSecretAccessKey(),
      sessionToken: `FakeSessionToken/${randomBytes(48).toString("base64url")}`,
      expiresAt: init.now + init.lifetimeSeconds * 1000,
      arn: init.arn,
      account: init.account,
      issuer: init.issuer,
    });
  }

  /** Forces known credentials to be expired now (tests of `ExpiredToken` handling). */
  expire(accessKeyId: string, now: number): void {
    const known = this.#byKeyId.get(accessKeyId);
    if (known) known.expiresAt = now - 1;
  }

  get size(): number {
    return this.#byKeyId.size;
  }
}
