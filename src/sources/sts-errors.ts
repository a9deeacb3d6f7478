/**
 * Human-readable failures of AssumeRoleWithWebIdentity: what went wrong and what to do. Pure.
 */
import { messageOf } from "./errors.js";
import { httpStatusOf } from "../shared/error-fields.js";
import { stsErrorCode, type StsFailureKind } from "./sts-retry.js";

export interface StsFailureContext {
  roleArn: string;
  endpoint: string;
  region: string;
  tokenFile: string;
  attempts: number;
}

function advice(code: string | undefined, kind: StsFailureKind, c: StsFailureContext): string {
  switch (code) {
    case "InvalidIdentityToken":
      return `STS could not validate the token from ${c.tokenFile}. Check that the cluster's OIDC issuer is registered as an IAM identity provider in the role's account and that the token's audience is sts.amazonaws.com.`;
    case "AccessDenied":
      return `The role's trust policy does not let this identity assume ${c.roleArn}. Check its Principal (the cluster's OIDC provider) and its :sub and :aud conditions (system:serviceaccount:<namespace>:<service-account>).`;
    case "ExpiredToken":
      return `The token in ${c.tokenFile} has expired. The kubelet rotates it; check the projected token volume and the node's clock.`;
    case "IDPCommunicationError":
      return "STS could not reach the identity provider (the cluster's OIDC issuer). This is usually transient; the next refresh tries again.";
    case "IDPRejectedClaim":
      return "The identity provider rejected the token's claims.";
    case "RegionDisabled":
      return `STS is not activated in ${c.region}. Activate the region in IAM account settings, or set AWS_REGION to a region where it is.`;
    case "ValidationError":
      return "STS rejected a parameter: check durationSeconds (900 to 43200, and at most the role's maximum session duration), policy, policyArns and roleSessionName.";
    case "MalformedPolicyDocument":
    case "PackedPolicyTooLarge":
      return "STS rejected the session policy given in the policy or policyArns option.";
  }
  switch (kind) {
    case "throttling":
      return "STS throttled the calls. Refresh in the background (createRefresher) so callers keep the valid credentials meanwhile.";
    case "server":
      return "STS answered with server errors; this is usually transient.";
    case "network":
      return `Could not get an answer from ${c.endpoint} in time. Check DNS, security groups or network policies, proxies, and the VPC endpoint for STS if there is one.`;
    default:
      return "";
  }
}

const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL"]);

/** A DNS failure names the host and the likely cause: a region that makes a hostname that does not exist. */
function dnsAdvice(error: unknown, c: StsFailureContext): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as { code?: unknown; hostname?: unknown };
  if (typeof e.code !== "string" || !DNS_CODES.has(e.code)) return undefined;
  // Node's own message names the host; a custom lookup (DNS cache, proxy agent) may not, so name it here.
  let host = typeof e.hostname === "string" && e.hostname !== "" ? e.hostname : c.endpoint;
  try {
    if (host === c.endpoint) host = new URL(c.endpoint).hostname;
  } catch {
    // not a URL: keep it as given
  }
  return (
    `The STS host ${host} did not resolve (${e.code}). Check the region "${c.region}": a misspelt or unknown region ` +
    `(awscreds doctor warns about regions the AWS SDK does not know) makes a hostname that does not exist. ` +
    `Otherwise check DNS from this host, and the VPC endpoint for STS if there is one.`
  );
}

/**
 * The message for a failed fetch. The token itself never appears: should STS ever echo it, it is cut out.
 *
 * @example
 * ```ts
 * describeStsFailure(error, "invalid-token", context, token);
 * // "AssumeRoleWithWebIdentity for arn:aws:iam::…:role/app at https://sts.eu-west-1.amazonaws.com failed after 2 attempts: InvalidIdentityToken: … STS could not validate …"
 * ```
 */
export function describeStsFailure(error: unknown, kind: StsFailureKind, context: StsFailureContext, token: string | undefined): string {
  const code = stsErrorCode(error);
  const status = httpStatusOf(error);
  let detail = messageOf(error);
  if (token) detail = detail.split(token).join("[token]");
  const label = code && !detail.startsWith(code) ? `${code}${status ? ` (HTTP ${status})` : ""}: ${detail}` : detail;
  const attempts = `${context.attempts} attempt${context.attempts === 1 ? "" : "s"}`;
  const hint = dnsAdvice(error, context) ?? advice(code, kind, context);
  return `AssumeRoleWithWebIdentity for ${context.roleArn} at ${context.endpoint} failed after ${attempts}: ${label}${hint ? ` ${hint}` : ""}`;
}
