/**
 * Role ARNs. Pure. The account id in the ARN is what the issued credentials belong to, so it is
 * reported as their `accountId` (account-based endpoints use it).
 */

export interface RoleArn {
  arn: string;
  partition: string;
  accountId: string;
  roleName: string;
}

// IAM: `arn:<partition>:iam::<12 digits>:role/<optional path/><name [\w+=,.@-]{1,64}>`.
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/;

/**
 * Parses a role ARN; `undefined` when it is not one.
 *
 * @example
 * ```ts
 * parseRoleArn("arn:aws:iam::123456789012:role/app")?.accountId; // "123456789012"
 * ```
 */
export function parseRoleArn(arn: string): RoleArn | undefined {
  const match = ROLE_ARN.exec(arn);
  if (!match) return undefined;
  return { arn, partition: match[1]!, accountId: match[2]!, roleName: match[3]! };
}
