/**
 * The cache key of a role: everything that makes two AssumeRole calls give different sessions. Pure.
 * Tags are sorted, so `{ a, b }` and `{ b, a }` are one key.
 */
import type { AssumeRoleSpec } from "../sources/assume-role-options.js";

/**
 * @example
 * ```ts
 * roleCacheKey({ roleArn, externalId: "acme-7f3k9" }, "billing-api@acme");
 * ```
 */
export function roleCacheKey(spec: AssumeRoleSpec, sessionName: string): string {
  const tags = spec.tags === undefined ? undefined : Object.entries(spec.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([
    spec.roleArn,
    spec.externalId,
    sessionName,
    spec.durationSeconds,
    spec.policy,
    spec.policyArns?.map(({ arn }) => arn),
    tags,
    spec.transitiveTagKeys === undefined ? undefined : [...spec.transitiveTagKeys].sort(),
    spec.sourceIdentity,
  ]);
}
