/**
 * STS GetFederationToken: temporary credentials for a federated user named by the caller (a proxy that
 * signs users in on its own). Only long-term keys may call it; `Name` 2-32 characters of `[\w+=,.@-]`;
 * `DurationSeconds` 900..129,600 (3,600 for the root user), default 43,200, never longer than the fake's
 * credential lifetime.
 */
import type { FakeContext } from "../core/context.js";
import type { KnownCredentials } from "../core/credential-store.js";
import { FakeAwsError } from "../core/fake-service.js";
import { awsTimestamp } from "./identity.js";
import { checkPolicyDocument, ConstraintViolations } from "./validate.js";

export interface IssuedFederationToken {
  known: KnownCredentials;
  expiration: string;
  /** `ACCOUNT:NAME`. */
  federatedUserId: string;
  /** `arn:aws:sts::ACCOUNT:federated-user/NAME`. */
  arn: string;
}

/**
 * Issues a federation token for `caller` from the request's parameters.
 *
 * @example
 * ```ts
 * const out = issueFederationToken(ctx, params, caller, 3600); // out.arn: arn:aws:sts::123456789012:federated-user/Bob
 * ```
 */
export function issueFederationToken(ctx: FakeContext, params: URLSearchParams, caller: KnownCredentials, maxLifetimeSeconds: number): IssuedFederationToken {
  const violations = new ConstraintViolations();
  const name = params.get("Name") ?? undefined;
  violations.check("name", name, { required: true, min: 2, max: 32, pattern: /[\w+=,.@-]*/ });
  const duration = violations.checkInteger("durationSeconds", params.get("DurationSeconds") ?? undefined, 900, 129_600);
  const policy = params.get("Policy") ?? undefined;
  violations.check("policy", policy, { min: 1, max: 2048 });
  violations.throwIfAny();
  if (policy !== undefined) checkPolicyDocument(policy);
  if (caller.sessionToken !== undefined) throw new FakeAwsError(403, "AccessDenied", "Cannot call GetFederationToken with session credentials");
  const root = /:root$/.test(caller.arn);
  const partition = /^arn:([^:]+):/.exec(caller.arn)?.[1] ?? "aws";
  const arn = `arn:${partition}:sts::${caller.account}:federated-user/${name}`;
  const requested = Math.min(duration ?? 43_200, root ? 3_600 : 129_600);
  const known = ctx.store.issue({ lifetimeSeconds: Math.min(requested, maxLifetimeSeconds), arn, account: caller.account, issuer: "sts", now: ctx.now() });
  // The wire has whole seconds: never accept these past the instant the client was told.
  known.expiresAt = Math.floor(known.expiresAt! / 1000) * 1000;
  return { known, expiration: awsTimestamp(known.expiresAt), federatedUserId: `${caller.account}:${name}`, arn };
}
