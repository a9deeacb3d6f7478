import { inspect } from "node:util";
import type { AwsCredentialIdentity } from "@smithy/types";

const REDACTED = "[redacted]";

/** A view of credentials with every secret replaced, fit for logs. */
export interface RedactedCredentials {
  accessKeyId: string;
  secretAccessKey: typeof REDACTED;
  sessionToken?: typeof REDACTED;
  expiration?: string;
  accountId?: string;
  credentialScope?: string;
}

/** Credentials whose secret key and session token never show in `util.inspect`, JSON or strings. */
export class SafeCredentials implements AwsCredentialIdentity {
  accessKeyId!: string;
  secretAccessKey!: string;
  sessionToken?: string;
  expiration?: Date;
  accountId?: string;
  credentialScope?: string;

  constructor(credentials: AwsCredentialIdentity) {
    // Copy every own property (the SDK's `$source` feature attribution included).
    Object.assign(this, credentials);
  }

  /** What JSON and loggers see: the key id and expiry, never the secrets. */
  toJSON(): RedactedCredentials {
    return redactCredentials(this);
  }

  toString(): string {
    return `Credentials(${this.accessKeyId}${this.expiration ? `, expires ${this.expiration.toISOString()}` : ""})`;
  }

  [inspect.custom](): string {
    return `SafeCredentials ${inspect(this.toJSON())}`;
  }
}

/** Returns credentials that are safe to log; already-safe credentials are returned as they are. */
export function toSafeCredentials(credentials: AwsCredentialIdentity): SafeCredentials {
  return credentials instanceof SafeCredentials ? credentials : new SafeCredentials(credentials);
}

/** Plain-object view of credentials with secrets replaced. */
export function redactCredentials(credentials: AwsCredentialIdentity): RedactedCredentials {
  const view: RedactedCredentials = { accessKeyId: credentials.accessKeyId, secretAccessKey: REDACTED };
  if (credentials.sessionToken !== undefined) view.sessionToken = REDACTED;
  if (credentials.expiration !== undefined) view.expiration = credentials.expiration.toISOString();
  if (credentials.accountId !== undefined) view.accountId = credentials.accountId;
  if (credentials.credentialScope !== undefined) view.credentialScope = credentials.credentialScope;
  return view;
}
