/**
 * What an assume-role provider (or cache) is configured with: the STS transport settings and one role
 * request, validated against STS's limits. Pure: errors are thrown at construction, naming the limit.
 */
import { customEndpoints } from "../sts/endpoint-option.js";
import { resolveFailover } from "../sts/failover-config.js";
import { assumeRoleInputProblems } from "../sts/limits.js";
import { resolveStsRegion } from "../sts/region.js";
import type { StsTransportOptions } from "../sts/transport.js";
import type { AssumeRoleSpec, AssumeRoleTransportOptions } from "./assume-role-options.js";
import { readBoolVar, readVar, type EnvVars } from "../shared/env.js";
import { parseRoleArn, type RoleArn } from "./role-arn.js";

/** The transport settings, before the logger and label are added. */
export type AssumeRoleTransportConfig = Pick<
  StsTransportOptions,
  "region" | "useFipsEndpoint" | "customEndpoint" | "connectionTimeoutMs" | "requestTimeoutMs" | "retry" | "clientConfig" | "ignoredEndpointVar" | "failover"
>;

/** A role request ready to send. */
export interface AssumeRoleRequest extends Omit<AssumeRoleSpec, "roleArn" | "roleSessionName"> {
  role: RoleArn;
  roleSessionName: string;
}

/**
 * @throws TypeError naming the option when the region, the endpoint or the timeouts are unusable.
 *
 * @example
 * ```ts
 * resolveAssumeRoleTransport({ region: "eu-west-1" }, process.env, "fromRegionalAssumeRole");
 * ```
 */
export function resolveAssumeRoleTransport(options: AssumeRoleTransportOptions, env: EnvVars, who: string): AssumeRoleTransportConfig {
  const region = resolveStsRegion({ region: options.region, env });
  if (!region.ok) throw new TypeError(`${who}: ${region.problem}`);
  const checked = customEndpoints(options.endpoint, [region.region], { allowInsecureEndpoint: options.allowInsecureEndpoint });
  if (!checked.ok) throw new TypeError(`${who}: ${checked.problem}`);
  const customEndpoint = checked.custom[0];
  for (const [name, value] of [["connectionTimeoutMs", options.connectionTimeoutMs], ["requestTimeoutMs", options.requestTimeoutMs]] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw new RangeError(`${who}: ${name} must be a positive number of ms, got ${value}`);
  }
  const r = options.retry;
  if (r?.maxAttempts !== undefined && !(Number.isInteger(r.maxAttempts) && r.maxAttempts >= 1)) {
    throw new RangeError(`${who}: retry.maxAttempts must be an integer of at least 1, got ${r.maxAttempts}`);
  }
  return {
    region: region.region,
    useFipsEndpoint: options.useFipsEndpoint ?? readBoolVar(env, "AWS_USE_FIPS_ENDPOINT"),
    customEndpoint,
    connectionTimeoutMs: options.connectionTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs,
    retry: options.retry,
    clientConfig: options.clientConfig,
    ignoredEndpointVar: options.endpoint === undefined && readVar(env, "AWS_ENDPOINT_URL_STS") !== undefined,
    failover: resolveFailover(options, env, region.region, who),
  };
}

/**
 * Validates a role spec against STS's limits and fills in the session name.
 *
 * @throws RangeError listing every limit the spec breaks.
 *
 * @example
 * ```ts
 * resolveAssumeRoleRequest({ roleArn: "arn:aws:iam::210987654321:role/saas", externalId: "acme-7f3k" }, () => "billing@acme", "fromRegionalAssumeRole");
 * ```
 */
export function resolveAssumeRoleRequest(spec: AssumeRoleSpec, defaultSessionName: (role: RoleArn) => string, who: string): AssumeRoleRequest {
  if (typeof spec !== "object" || spec === null) throw new TypeError(`${who}: expected an object with roleArn`);
  const problems = assumeRoleInputProblems(spec);
  const role = typeof spec.roleArn === "string" ? parseRoleArn(spec.roleArn) : undefined;
  if (typeof spec.roleArn === "string" && !role) problems.push(`roleArn "${spec.roleArn}" is not an IAM role ARN (expected arn:aws:iam::123456789012:role/name)`);
  if (problems.length > 0 || !role) throw new RangeError(`${who}: ${problems.join("; ")}`);
  return {
    role,
    roleSessionName: spec.roleSessionName ?? defaultSessionName(role),
    externalId: spec.externalId,
    durationSeconds: spec.durationSeconds,
    policy: spec.policy,
    policyArns: spec.policyArns,
    tags: spec.tags,
    transitiveTagKeys: spec.transitiveTagKeys,
    sourceIdentity: spec.sourceIdentity,
  };
}
