/**
 * Who issued credentials belong to: role ARNs, assumed-role ARNs and the unique ids IAM shows for them.
 * Shared by the fake STS, IMDS and container endpoint, which all hand out assumed-role credentials.
 */
import { createHash } from "node:crypto";
import type { KnownCredentials } from "../core/credential-store.js";
import type { FakeContext } from "../core/context.js";

/** The parts of `arn:aws:iam::123456789012:role/path/name`. */
export interface RoleArnParts {
  partition: string;
  account: string;
  roleName: string;
}

// IAM: path is `/` or `/…/` of printable ASCII, role name is [\w+=,.@-]{1,64}.
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/;
const ASSUMED_ROLE_ARN = /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/([\w+=,.@-]{1,64})\/(.+)$/;

/** Parses a role ARN; `undefined` when STS would answer "Request ARN is invalid". */
export function parseRoleArn(arn: string): RoleArnParts | undefined {
  const m = ROLE_ARN.exec(arn);
  if (!m) return undefined;
  return { partition: m[1]!, account: m[2]!, roleName: m[3]! };
}

/** A stable IAM unique id (`AROA…`, `AIDA…`): the same principal always gets the same id, as in IAM. */
export function uniqueId(prefix: "AROA" | "AIDA", seed: string): string {
  const digest = createHash("sha256").update(seed).digest();
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let id = prefix;
  for (let i = 0; i < 17; i++) id += alphabet[digest[i]! % alphabet.length];
  return id;
}

/** The identity STS reports for a role session. */
export interface AssumedRoleIdentity {
  /** `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` (IAM paths are not part of it, as in AWS). */
  arn: string;
  /** `AROA…:SESSION`. */
  assumedRoleId: string;
}

export function assumedRole(role: RoleArnParts, sessionName: string): AssumedRoleIdentity {
  return {
    arn: `arn:${role.partition}:sts::${role.account}:assumed-role/${role.roleName}/${sessionName}`,
    assumedRoleId: `${uniqueId("AROA", `${role.account}:${role.roleName}`)}:${sessionName}`,
  };
}

/** `UserId` of GetCallerIdentity for credentials the fake knows. */
export function callerUserId(known: KnownCredentials): string {
  const m = ASSUMED_ROLE_ARN.exec(known.arn);
  if (m) return `${uniqueId("AROA", `${m[1]}:${m[2]}`)}:${m[3]}`;
  if (/:root$/.test(known.arn)) return known.account;
  // A federated user (GetFederationToken) is `ACCOUNT:NAME`, as GetCallerIdentity reports it.
  const federated = /^arn:[^:]+:sts::(\d{12}):federated-user\/(.+)$/.exec(known.arn);
  if (federated) return `${federated[1]}:${federated[2]}`;
  return uniqueId("AIDA", known.arn);
}

/** Credentials issued for a role session, and what the issuing service tells about them. */
export interface IssuedRoleCredentials {
  known: KnownCredentials;
  identity: AssumedRoleIdentity;
  /** `Expiration` as written on the wire (`2024-05-01T12:00:00Z`), equal to `known.expiresAt`. */
  expiration: string;
}

/**
 * Issues temporary credentials for a role session into the shared store (so SigV4-verifying fakes accept
 * them). The expiry is cut to a whole second, because the wire format has no milliseconds and the
 * verifying fakes must not accept credentials past the instant the client was told.
 */
export function issueRoleCredentials(
  ctx: FakeContext,
  init: { role: RoleArnParts; sessionName: string; lifetimeSeconds: number; issuer: KnownCredentials["issuer"] },
): IssuedRoleCredentials {
  const identity = assumedRole(init.role, init.sessionName);
  const known = ctx.store.issue({
    lifetimeSeconds: init.lifetimeSeconds,
    arn: identity.arn,
    account: init.role.account,
    issuer: init.issuer,
    now: ctx.now(),
  });
  const expiresAt = Math.floor(known.expiresAt! / 1000) * 1000;
  known.expiresAt = expiresAt;
  return { known, identity, expiration: awsTimestamp(expiresAt) };
}

/** AWS wire timestamps: ISO 8601 to the second, `2024-05-01T12:00:00Z`. */
export function awsTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Rejects lifetimes the fakes cannot honour (tests pass seconds; fractions are fine). */
export function checkLifetime(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new RangeError(`credential lifetime must be a positive number of seconds, got ${seconds}`);
  }
  return seconds;
}
