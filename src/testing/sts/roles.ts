/**
 * Per-role settings of the fake STS, as IAM holds them for a real role: the trust policy's principals and
 * ExternalId condition, and the maximum session duration. AssumeRole is checked against them with STS's own
 * codes and words. A role nobody registered is trusted by everyone with no ExternalId and a 12-hour maximum,
 * as the fake always behaved.
 */
import type { KnownCredentials } from "../core/credential-store.js";
import { FakeAwsError } from "../core/fake-service.js";
import { parseRoleArn } from "./identity.js";

/** A role as the fake STS knows it. */
export interface FakeRoleSettings {
  /** `arn:aws:iam::210987654321:role/saas-access`. */
  roleArn: string;
  /**
   * IAM's MaxSessionDuration: 3600 (IAM's default) to 43200 seconds. A longer `DurationSeconds` is refused
   * with STS's `ValidationError`. Default 3600.
   */
  maxSessionDuration?: number;
  /** The trust policy's `sts:ExternalId` condition: AssumeRole without exactly this value is denied. */
  externalId?: string;
  /**
   * Who the trust policy lets assume the role: account ids (`111122223333`), an account's root
   * (`arn:aws:iam::111122223333:root`), user or role ARNs (a role ARN admits its sessions). Default: anyone.
   */
  trustedPrincipals?: readonly string[];
}

const ROLE_CHAINING_MAX = 3600;
const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\//;

/** Whether `principal` (as written in a trust policy) admits the caller. */
function admits(principal: string, caller: KnownCredentials): boolean {
  if (/^\d{12}$/.test(principal)) return principal === caller.account;
  const root = /^arn:aws[a-z-]*:iam::(\d{12}):root$/.exec(principal);
  if (root) return root[1] === caller.account;
  if (principal === caller.arn) return true;
  const session = ASSUMED_ROLE.exec(caller.arn);
  const role = parseRoleArn(principal);
  return session !== null && role !== undefined && role.account === session[2] && role.roleName === session[3];
}

/** Whether the caller's credentials are themselves a role session (then AssumeRole is role chaining). */
export function isRoleSession(caller: KnownCredentials): boolean {
  return ASSUMED_ROLE.test(caller.arn);
}

export class FakeRoleRegistry {
  readonly #roles = new Map<string, Required<Pick<FakeRoleSettings, "maxSessionDuration">> & FakeRoleSettings>();

  register(settings: FakeRoleSettings): void {
    if (parseRoleArn(settings.roleArn) === undefined) throw new TypeError(`registerRole: "${settings.roleArn}" is not a role ARN`);
    const max = settings.maxSessionDuration ?? 3600;
    if (!Number.isInteger(max) || max < 3600 || max > 43_200) {
      throw new RangeError(`registerRole: maxSessionDuration must be an integer from 3600 to 43200 (IAM's limits), got ${max}`);
    }
    this.#roles.set(settings.roleArn, { ...settings, maxSessionDuration: max });
  }

  /** The longest session the role allows (12 hours for a role nobody registered). */
  maxSessionDuration(roleArn: string): number {
    return this.#roles.get(roleArn)?.maxSessionDuration ?? 43_200;
  }

  /**
   * Checks an AssumeRole the way STS does: trust (principal, then ExternalId) before duration.
   *
   * @throws FakeAwsError `AccessDenied` (403) or `ValidationError` (400), worded as STS words them.
   */
  check(init: { roleArn: string; caller: KnownCredentials; externalId: string | undefined; durationSeconds: number | undefined }): void {
    const role = this.#roles.get(init.roleArn);
    if (role) {
      const trusted = role.trustedPrincipals === undefined || role.trustedPrincipals.some((p) => admits(p, init.caller));
      if (!trusted || (role.externalId !== undefined && init.externalId !== role.externalId)) {
        throw new FakeAwsError(403, "AccessDenied", `User: ${init.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${init.roleArn}`);
      }
    }
    const d = init.durationSeconds;
    if (d === undefined) return;
    if (isRoleSession(init.caller) && d > ROLE_CHAINING_MAX) {
      throw new FakeAwsError(400, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
    }
    if (d > this.maxSessionDuration(init.roleArn)) {
      throw new FakeAwsError(400, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    }
  }
}
