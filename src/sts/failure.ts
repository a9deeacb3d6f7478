/**
 * Human-readable failures of an STS call: what went wrong, where, and what to do. Pure. The advice for
 * one operation's own error codes comes from its provider (`web-identity-advice.ts`, `assume-role-advice.ts`);
 * what holds for every STS call (region, throttling, server, network) is here.
 */
import { messageOf } from "../shared/errors.js";
import { httpStatusOf } from "../shared/error-fields.js";
import { stsErrorCode, type StsFailureKind } from "./retry.js";

export interface StsFailureContext {
  /** `AssumeRoleWithWebIdentity`, `AssumeRole`. */
  operation: string;
  roleArn: string;
  endpoint: string;
  region: string;
  attempts: number;
}

/** A secret the message must never repeat, and what stands in its place (`[token]`). */
export interface MaskedSecret {
  value: string | undefined;
  label: string;
}

/** Advice for one operation's own error codes; `undefined` falls back to the advice every STS call shares. */
export type StsAdvice = (code: string | undefined, kind: StsFailureKind) => string | undefined;

function sharedAdvice(code: string | undefined, kind: StsFailureKind, c: StsFailureContext): string {
  if (code === "RegionDisabled") {
    return `STS is not activated in ${c.region}. Activate the region in IAM account settings, or set AWS_REGION to a region where it is.`;
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
 * The message for a failed call. A masked secret never appears: should STS ever echo it, it is cut out.
 *
 * @example
 * ```ts
 * describeStsFailure(error, "invalid-token", context, webIdentityAdvice(context, tokenFile), { value: token, label: "[token]" });
 * // "AssumeRoleWithWebIdentity for arn:aws:iam::…:role/app at https://sts.eu-west-1.amazonaws.com failed after 2 attempts: InvalidIdentityToken: … STS could not validate …"
 * ```
 */
export function describeStsFailure(error: unknown, kind: StsFailureKind, context: StsFailureContext, advice: StsAdvice, mask?: MaskedSecret): string {
  const code = stsErrorCode(error);
  const status = httpStatusOf(error);
  let detail = messageOf(error);
  if (mask?.value) detail = detail.split(mask.value).join(mask.label);
  const label = code && !detail.startsWith(code) ? `${code}${status ? ` (HTTP ${status})` : ""}: ${detail}` : detail;
  const attempts = `${context.attempts} attempt${context.attempts === 1 ? "" : "s"}`;
  const hint = dnsAdvice(error, context) ?? advice(code, kind) ?? sharedAdvice(code, kind, context);
  const joined = hint ? `${label}${/[.!?]$/.test(label) ? "" : "."} ${hint}` : label;
  return `${context.operation} for ${context.roleArn} at ${context.endpoint} failed after ${attempts}: ${joined}`;
}
