/**
 * What a regional web identity provider is configured with: options first, then the environment
 * variables the SDK uses. Pure (the host name and randomness come in as arguments).
 */
import { customEndpoints } from "../sts/endpoint-option.js";
import { resolveStsRegion } from "../sts/region.js";
import { firstSet, readBoolVar, type EnvVars } from "../shared/env.js";
import { parseRoleArn, type RoleArn } from "./role-arn.js";
import { defaultSessionName, sessionNameProblem } from "./session-name.js";
import type { RegionalWebIdentityOptions } from "./web-identity-options.js";

/** The options this module reads (documented on `RegionalWebIdentityOptions`). */
export type WebIdentityConfigInput = Pick<
  RegionalWebIdentityOptions,
  "roleArn" | "webIdentityTokenFile" | "roleSessionName" | "region" | "useFipsEndpoint" | "endpoint" | "allowInsecureEndpoint"
>;

export interface WebIdentityConfig {
  roleArn: RoleArn;
  roleArnFrom: string;
  tokenFile: string;
  tokenFileFrom: string;
  sessionName: string;
  sessionNameFrom: string;
  region: string;
  regionFrom: string;
  useFipsEndpoint: boolean;
  /** A validated custom endpoint; otherwise the regional one is derived from the partition table. */
  customEndpoint: string | undefined;
}

export type WebIdentityConfigResult =
  | { ok: true; config: WebIdentityConfig }
  /**
   * `configured: false`: nothing of web identity is set here (a chain may try the next source). Half of it
   * set (or one half blank) is `configured: true` with a problem: an error, never a reason to move on.
   */
  | { ok: false; configured: boolean; problem: string };

const HOW_TO =
  "On EKS, annotate the pod's service account with eks.amazonaws.com/role-arn (IRSA) and restart the pod; " +
  "EKS then sets both. Elsewhere pass the roleArn and webIdentityTokenFile options";

/**
 * Resolves the configuration, or says what is missing.
 *
 * @example
 * ```ts
 * resolveWebIdentityConfig({}, { AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/app",
 *   AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/token", AWS_REGION: "eu-west-1" }, { hostname: "pod-1", random: "ab12cd" });
 * ```
 */
export function resolveWebIdentityConfig(
  options: WebIdentityConfigInput,
  env: EnvVars,
  host: { hostname: string | undefined; random: string },
): WebIdentityConfigResult {
  const role = firstSet({ name: "roleArn", value: options.roleArn }, env, "AWS_ROLE_ARN");
  const tokenFile = firstSet({ name: "webIdentityTokenFile", value: options.webIdentityTokenFile }, env, "AWS_WEB_IDENTITY_TOKEN_FILE");
  if (!role && !tokenFile) {
    return { ok: false, configured: false, problem: `web identity is not configured: AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are not set. ${HOW_TO}` };
  }
  if (!role || !tokenFile) {
    // Half configured is configured (and broken), never "not here": a chain must not move on to another identity.
    const [present, missingVar, missingOption] = role
      ? [role.from, "AWS_WEB_IDENTITY_TOKEN_FILE", "webIdentityTokenFile"]
      : [tokenFile!.from, "AWS_ROLE_ARN", "roleArn"];
    const state = env[missingVar] !== undefined ? "is empty" : "is not set";
    return {
      ok: false,
      configured: true,
      problem:
        `web identity is half configured: ${present} is set but ${missingVar} (or the ${missingOption} option) ${state}; ` +
        `web identity needs both AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE, or neither. ${HOW_TO}`,
    };
  }
  const roleArn = parseRoleArn(role.value);
  if (!roleArn) {
    return {
      ok: false,
      configured: true,
      problem: `${role.from} is "${role.value}", which is not an IAM role ARN (expected arn:aws:iam::123456789012:role/name)`,
    };
  }
  const region = resolveStsRegion({ region: options.region, env });
  if (!region.ok) return { ok: false, configured: true, problem: region.problem };

  const explicitName = firstSet({ name: "roleSessionName", value: options.roleSessionName }, env, "AWS_ROLE_SESSION_NAME");
  if (explicitName) {
    const problem = sessionNameProblem(explicitName.value);
    if (problem) return { ok: false, configured: true, problem: `${explicitName.from} "${explicitName.value}" is not a valid role session name: ${problem}` };
  }

  // The primary region's only; failover regions' endpoints are resolved with the rest of failover.
  const checked = customEndpoints(options.endpoint, [region.region], { allowInsecureEndpoint: options.allowInsecureEndpoint });
  if (!checked.ok) return { ok: false, configured: true, problem: checked.problem };
  const customEndpoint = checked.custom[0];
  const fipsFromEnv = readBoolVar(env, "AWS_USE_FIPS_ENDPOINT");

  return {
    ok: true,
    config: {
      roleArn,
      roleArnFrom: role.from,
      tokenFile: tokenFile.value,
      tokenFileFrom: tokenFile.from,
      sessionName: explicitName?.value ?? defaultSessionName(host),
      sessionNameFrom: explicitName?.from ?? "default (host name + random suffix)",
      region: region.region,
      regionFrom: region.from,
      useFipsEndpoint: options.useFipsEndpoint ?? fipsFromEnv,
      customEndpoint,
    },
  };
}
