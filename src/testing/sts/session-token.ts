/**
 * STS's actions for long-lived keys: `GetSessionToken` (temporary credentials for the same IAM user) and
 * `GetAccessKeyInfo` (which account an access key id belongs to), with STS's limits and wording.
 */
import { accountOfAccessKeyId } from "../core/access-keys.js";
import type { FakeContext } from "../core/context.js";
import type { KnownCredentials } from "../core/credential-store.js";
import { FakeAwsError } from "../core/fake-service.js";
import { awsTimestamp } from "./identity.js";
import { ConstraintViolations } from "./validate.js";

/** Session credentials as the STS answer shows them. */
export interface IssuedSessionCredentials {
  known: KnownCredentials;
  expiration: string;
}

/**
 * GetSessionToken: only long-term keys may call it; `DurationSeconds` is 900..129,600 (3,600 for the
 * root user), default 43,200, and never longer than the fake's credential lifetime.
 */
export function issueSessionToken(ctx: FakeContext, params: URLSearchParams, caller: KnownCredentials, maxLifetimeSeconds: number): IssuedSessionCredentials {
  const violations = new ConstraintViolations();
  const root = /:root$/.test(caller.arn);
  const duration = violations.checkInteger("durationSeconds", params.get("DurationSeconds") ?? undefined, 900, 129_600);
  violations.check("serialNumber", params.get("SerialNumber") ?? undefined, { min: 9, max: 256, pattern: /[\w+=/:,.@-]*/ });
  violations.check("tokenCode", params.get("TokenCode") ?? undefined, { min: 6, max: 6, pattern: /[\d]*/ });
  violations.throwIfAny();
  if (caller.sessionToken !== undefined) {
    throw new FakeAwsError(403, "AccessDenied", "Cannot call GetSessionToken with session credentials");
  }
  const requested = Math.min(duration ?? 43_200, root ? 3_600 : 129_600);
  const known = ctx.store.issue({ lifetimeSeconds: Math.min(requested, maxLifetimeSeconds), arn: caller.arn, account: caller.account, issuer: "sts", now: ctx.now() });
  // The wire has whole seconds: never accept these past the instant the client was told.
  known.expiresAt = Math.floor(known.expiresAt! / 1000) * 1000;
  return { known, expiration: awsTimestamp(known.expiresAt) };
}

/** GetAccessKeyInfo: the account of a key the fake knows, or the one an AWS-format key id encodes. */
export function accessKeyAccount(ctx: FakeContext, params: URLSearchParams): string {
  const accessKeyId = params.get("AccessKeyId") ?? undefined;
  const violations = new ConstraintViolations();
  violations.check("accessKeyId", accessKeyId, { required: true, min: 16, max: 128, pattern: /[\w]*/ });
  violations.throwIfAny();
  const account = ctx.store.get(accessKeyId!)?.account ?? accountOfAccessKeyId(accessKeyId!);
  if (account === undefined) throw new FakeAwsError(400, "InvalidParameterValue", `The access key ID ${accessKeyId} is not in a format STS can read an account from.`);
  return account;
}
