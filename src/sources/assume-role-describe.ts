/**
 * `describe()` of an assume-role provider: plain data, JSON-safe, no secrets.
 */
import type { StsEndpointStatus } from "../sts/failover.js";
import type { StsTransport } from "../sts/transport.js";
import type { AssumeRoleRequest } from "./assume-role-config.js";
import type { AssumeRoleDescription } from "./assume-role-options.js";

/** The failover part of a description: the regions, whether one is serving calls, each breaker. */
export function failoverDescription(transport: StsTransport): { failoverRegions: string[]; failedOver: boolean; endpoints: StsEndpointStatus[] } {
  const sts = transport.status();
  return { failoverRegions: sts.endpoints.slice(1).map((e) => e.region), failedOver: sts.failedOver, endpoints: sts.endpoints };
}

/**
 * @example
 * ```ts
 * describeAssumeRole(request, transport, undefined).roleSessionName; // "billing-api@acme"
 * ```
 */
export function describeAssumeRole(request: AssumeRoleRequest, transport: StsTransport, roleChaining: boolean | undefined): AssumeRoleDescription {
  const d: AssumeRoleDescription = {
    roleArn: request.role.arn,
    accountId: request.role.accountId,
    roleSessionName: request.roleSessionName,
    region: transport.region,
    useFipsEndpoint: transport.useFipsEndpoint,
    ...failoverDescription(transport),
  };
  if (request.externalId !== undefined) d.externalId = request.externalId;
  if (request.durationSeconds !== undefined) d.durationSeconds = request.durationSeconds;
  if (roleChaining !== undefined) d.roleChaining = roleChaining;
  if (request.policy !== undefined) d.policyLength = request.policy.length;
  if (request.policyArns !== undefined) d.policyArns = request.policyArns.map(({ arn }) => arn);
  if (request.tags !== undefined) d.tags = { ...request.tags };
  if (request.transitiveTagKeys !== undefined) d.transitiveTagKeys = [...request.transitiveTagKeys];
  if (request.sourceIdentity !== undefined) d.sourceIdentity = request.sourceIdentity;
  const endpoint = transport.endpoint();
  if (endpoint !== undefined) d.endpoint = endpoint;
  return d;
}
