/**
 * What STS accepts in AssumeRole, as its API reference states it, and the checks that say which limit an
 * input breaks. Pure. Checked when a provider is created, so a bad input fails at startup with the limit
 * named, not at the first call with STS's terser `ValidationError`.
 */

/** STS's documented limits for AssumeRole. */
export const STS_ASSUME_ROLE_LIMITS = Object.freeze({
  roleArnLength: [20, 2048],
  roleSessionNameLength: [2, 64],
  externalIdLength: [2, 1224],
  durationSeconds: [900, 43_200],
  /** The longest session a chained role gets (source credentials are themselves a role session). */
  roleChainingMaxSeconds: 3_600,
  policyLength: [1, 2048],
  policyArns: 10,
  policyArnLength: [20, 2048],
  tags: 50,
  tagKeyLength: [1, 128],
  tagValueLength: [0, 256],
  transitiveTagKeys: 50,
  sourceIdentityLength: [2, 64],
} as const);

/** `[\w+=,.@-]`: RoleSessionName and SourceIdentity. */
const NAME_CHARS = /^[\w+=,.@-]*$/;
/** `[\w+=,.@:\/-]`: ExternalId. */
const EXTERNAL_ID_CHARS = /^[\w+=,.@:/-]*$/;
/** Tag keys and values: letters, spaces, numbers and `_ . : / = + - @` (Unicode letters and numbers included). */
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** Session policy text: tab, line feed, carriage return, and space through U+00FF. */
const POLICY_CHARS = /^[\t\n\r\u0020-\u00ff]*$/;

/** The AssumeRole inputs a caller chooses (the names of `fromRegionalAssumeRole`'s options). */
export interface AssumeRoleInputs {
  roleArn: string;
  roleSessionName?: string | undefined;
  externalId?: string | undefined;
  durationSeconds?: number | undefined;
  policy?: string | undefined;
  policyArns?: readonly { arn: string }[] | undefined;
  tags?: Readonly<Record<string, string>> | undefined;
  transitiveTagKeys?: readonly string[] | undefined;
  sourceIdentity?: string | undefined;
}

function length(name: string, value: string, [min, max]: readonly [number, number]): string | undefined {
  if (value.length < min || value.length > max) return `${name} must be ${min} to ${max} characters long (STS's limit), got ${value.length}`;
  return undefined;
}

/**
 * Every way `inputs` break STS's AssumeRole limits, each naming the limit; empty when all is well.
 *
 * @example
 * ```ts
 * assumeRoleInputProblems({ roleArn: "arn:aws:iam::123456789012:role/x", durationSeconds: 60 });
 * // ["durationSeconds must be an integer from 900 to 43200 (STS's limit), got 60"]
 * ```
 */
export function assumeRoleInputProblems(inputs: AssumeRoleInputs): string[] {
  const L = STS_ASSUME_ROLE_LIMITS;
  const problems: (string | undefined)[] = [];
  if (typeof inputs.roleArn !== "string") return ["roleArn is required (the ARN of the role to assume, e.g. arn:aws:iam::123456789012:role/name)"];
  problems.push(length("roleArn", inputs.roleArn, L.roleArnLength));
  const name = inputs.roleSessionName;
  if (name !== undefined) {
    problems.push(length("roleSessionName", name, L.roleSessionNameLength));
    if (!NAME_CHARS.test(name)) problems.push("roleSessionName may only contain letters, digits and + = , . @ _ - (STS's pattern [\\w+=,.@-]*)");
  }
  const externalId = inputs.externalId;
  if (externalId !== undefined) {
    problems.push(length("externalId", externalId, L.externalIdLength));
    if (!EXTERNAL_ID_CHARS.test(externalId)) problems.push("externalId may only contain letters, digits and + = , . @ : / _ - (STS's pattern [\\w+=,.@:/-]*)");
  }
  const d = inputs.durationSeconds;
  if (d !== undefined && (!Number.isInteger(d) || d < L.durationSeconds[0] || d > L.durationSeconds[1])) {
    problems.push(`durationSeconds must be an integer from ${L.durationSeconds[0]} to ${L.durationSeconds[1]} (STS's limit; the role's maximum session duration may be lower), got ${d}`);
  }
  if (inputs.policy !== undefined) {
    problems.push(length("policy", inputs.policy, L.policyLength));
    if (!POLICY_CHARS.test(inputs.policy)) problems.push("policy may only contain tab, line feed, carriage return and characters from space to U+00FF (STS's limit)");
  }
  const arns = inputs.policyArns;
  if (arns !== undefined) {
    if (arns.length > L.policyArns) problems.push(`policyArns takes at most ${L.policyArns} managed policies (STS's limit), got ${arns.length}`);
    arns.forEach(({ arn }, i) => problems.push(typeof arn === "string" ? length(`policyArns[${i}].arn`, arn, L.policyArnLength) : `policyArns[${i}].arn must be a string`));
  }
  const tags = inputs.tags === undefined ? [] : Object.entries(inputs.tags);
  if (tags.length > L.tags) problems.push(`tags takes at most ${L.tags} session tags (STS's limit), got ${tags.length}`);
  const seen = new Set<string>();
  for (const [key, value] of tags) {
    problems.push(length(`tag key "${key}"`, key, L.tagKeyLength));
    if (typeof value !== "string") {
      problems.push(`tag "${key}" must have a string value`);
      continue;
    }
    problems.push(length(`the value of tag "${key}"`, value, L.tagValueLength));
    if (!TAG_CHARS.test(key) || !TAG_CHARS.test(value)) problems.push(`tag "${key}" may only contain letters, numbers, spaces and _ . : / = + - @ (STS's limit)`);
    if (/^aws:/i.test(key)) problems.push(`tag key "${key}" starts with "aws:", which AWS reserves`);
    const folded = key.toLowerCase();
    if (seen.has(folded)) problems.push(`tag key "${key}" appears twice; session tag keys are case-insensitive`);
    seen.add(folded);
  }
  const transitive = inputs.transitiveTagKeys ?? [];
  if (transitive.length > L.transitiveTagKeys) problems.push(`transitiveTagKeys takes at most ${L.transitiveTagKeys} keys (STS's limit), got ${transitive.length}`);
  for (const key of transitive) {
    if (!seen.has(String(key).toLowerCase())) problems.push(`transitiveTagKeys names "${key}", which is not one of the tags; a transitive key must be a session tag`);
  }
  const sourceIdentity = inputs.sourceIdentity;
  if (sourceIdentity !== undefined) {
    problems.push(length("sourceIdentity", sourceIdentity, L.sourceIdentityLength));
    if (!NAME_CHARS.test(sourceIdentity)) problems.push("sourceIdentity may only contain letters, digits and + = , . @ _ - (STS's pattern [\\w+=,.@-]*)");
    if (/^aws:/i.test(sourceIdentity)) problems.push('sourceIdentity starts with "aws:", which AWS reserves');
  }
  return problems.filter((p): p is string => p !== undefined);
}

/**
 * The duration to ask for. With role chaining (source credentials that are themselves a role session)
 * STS refuses anything over 3,600 s, so a longer request is clamped rather than failed.
 *
 * @example
 * ```ts
 * chainedDuration(7200, true); // { durationSeconds: 3600, clamped: true }
 * ```
 */
export function chainedDuration(requested: number | undefined, chaining: boolean): { durationSeconds: number | undefined; clamped: boolean } {
  const max = STS_ASSUME_ROLE_LIMITS.roleChainingMaxSeconds;
  if (chaining && requested !== undefined && requested > max) return { durationSeconds: max, clamped: true };
  return { durationSeconds: requested, clamped: false };
}
