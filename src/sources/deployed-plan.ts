/**
 * Which deployed sources are available, in order, and why the others are not. Pure: a function of the
 * environment and options, so it can be shown before any network call (`describe()`).
 */
import { formatBreakers } from "../sts/failover-format.js";
import type { EnvVars } from "../shared/env.js";
import { readBoolVar, readVar } from "../shared/env.js";
import { readContainerSettings } from "./container.js";
import type { SourceName } from "./describe.js";
import { readLocalKeys } from "./env-keys.js";
import { lambdaKeysOwner } from "./lambda-keys.js";
import { environmentKeysAreWorkloadIdentity, lambdaFunctionName, type DetectedPlatform } from "./platforms.js";
import type { SharedConfigSettings } from "./shared-config.js";
import type { WebIdentityDescription } from "./web-identity.js";

export interface PlannedSource {
  /** `env-keys` only where the platform hands its role over as keys (AWS Lambda). */
  source: SourceName;
  available: boolean;
  reason: string;
  /**
   * Set when the source is configured but its configuration cannot work (half-configured web identity,
   * a malformed role ARN, no region): the chain fails with it rather than moving on to another identity.
   */
  problem?: string;
  details?: Record<string, string>;
}

export interface DeployedPlanInput {
  env: EnvVars;
  webIdentity: WebIdentityDescription;
  /** `undefined` unless the sharedConfig option asks for shared files. */
  sharedConfig: SharedConfigSettings | undefined;
  allowInstanceRoleInKubernetes: boolean;
  /** The endpoint the instance-metadata provider will call (for details). */
  imdsEndpoint: string;
  /** Where this runs, by the deployment matrix (`detectPlatform`). */
  platform: DetectedPlatform;
}

/** The message of the Kubernetes rule (also used in errors). */
export const KUBERNETES_IMDS_REASON =
  "off in Kubernetes (KUBERNETES_SERVICE_HOST is set): the instance role is the node's role, shared by every pod " +
  "on the node, so using it silently would give this pod permissions meant for the node. Give the pod its own role " +
  "with IRSA (service account annotation eks.amazonaws.com/role-arn) or EKS Pod Identity, or pass " +
  "allowInstanceRoleInKubernetes: true to use the node's role deliberately";

/**
 * The deployed chain: web identity → container endpoint → the execution role's keys (AWS Lambda only) →
 * shared config (only if asked) → instance role (not where the platform has none: Lambda, Fargate).
 *
 * @example
 * ```ts
 * planDeployedSources({ env: process.env, webIdentity: provider.describe(), sharedConfig: undefined,
 *   allowInstanceRoleInKubernetes: false, imdsEndpoint: "http://169.254.169.254",
 *   platform: detectPlatform(process.env, "deployed") });
 * ```
 */
export function planDeployedSources(input: DeployedPlanInput): PlannedSource[] {
  const { env, webIdentity } = input;
  const plan: PlannedSource[] = [];

  if (webIdentity.configured) {
    const details: Record<string, string> = {};
    if (webIdentity.roleArn) details.roleArn = webIdentity.roleArn;
    if (webIdentity.webIdentityTokenFile) details.tokenFile = webIdentity.webIdentityTokenFile;
    if (webIdentity.region) details.region = webIdentity.region;
    if (webIdentity.endpoint) details.endpoint = webIdentity.endpoint;
    if (webIdentity.roleSessionName) details.roleSessionName = webIdentity.roleSessionName;
    if (webIdentity.failoverRegions?.length) {
      details.failoverRegions = webIdentity.failoverRegions.join(",");
      if (webIdentity.endpoints) details.stsBreakers = formatBreakers(webIdentity.endpoints);
    }
    plan.push({
      source: "web-identity",
      available: true,
      ...(webIdentity.problem !== undefined && { problem: webIdentity.problem }),
      reason: webIdentity.problem ?? `role ARN (${webIdentity.from?.roleArn}) and token file (${webIdentity.from?.webIdentityTokenFile}) are set`,
      details,
    });
  } else {
    plan.push({ source: "web-identity", available: false, reason: webIdentity.problem ?? "not configured" });
  }

  const container = readContainerSettings(env);
  if (container.configured) {
    plan.push({
      source: "container",
      available: true,
      reason: `${container.from} is set`,
      details: { endpoint: container.endpoint ?? "", authorization: container.authorization ?? "none" },
    });
  } else {
    plan.push({
      source: "container",
      available: false,
      reason: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set (not an ECS task with a task role, no EKS Pod Identity association)",
    });
  }

  if (environmentKeysAreWorkloadIdentity(input.platform)) {
    const keys = readLocalKeys(env);
    const on = `on ${input.platform.platform.name} (${input.platform.evidence.join(", ")} set)`;
    plan.push(
      keys.ok
        ? {
            source: "env-keys",
            available: true,
            reason: `${on}: ${lambdaKeysOwner(lambdaFunctionName(env))}`,
            details: { accessKeyId: keys.credentials.accessKeyId },
          }
        : { source: "env-keys", available: false, reason: `${on}, but ${keys.problem}; Lambda sets them from the function's execution role` },
    );
  }

  if (input.sharedConfig) {
    plan.push({
      source: "shared-config",
      available: true,
      reason: `the sharedConfig option asks for profile "${input.sharedConfig.profile}" (${input.sharedConfig.profileFrom})`,
      details: { profile: input.sharedConfig.profile, credentialsFile: input.sharedConfig.credentialsFile, configFile: input.sharedConfig.configFile },
    });
  } else {
    plan.push({
      source: "shared-config",
      available: false,
      reason: "shared config files are not read in deployed mode unless the sharedConfig option asks for them",
    });
  }

  const imdsDisabled = readBoolVar(env, "AWS_EC2_METADATA_DISABLED");
  const inKubernetes = readVar(env, "KUBERNETES_SERVICE_HOST") !== undefined;
  if (imdsDisabled) {
    plan.push({ source: "instance-metadata", available: false, reason: "AWS_EC2_METADATA_DISABLED is true" });
  } else if (input.platform.platform.instanceRole === "none") {
    // Nothing answers there: trying would only add a timeout before the real error.
    plan.push({
      source: "instance-metadata",
      available: false,
      reason: `not tried on ${input.platform.platform.name} (${input.platform.evidence.join(", ")} set): it has no instance metadata service`,
    });
  } else if (inKubernetes && !input.allowInstanceRoleInKubernetes) {
    plan.push({ source: "instance-metadata", available: false, reason: KUBERNETES_IMDS_REASON });
  } else {
    plan.push({
      source: "instance-metadata",
      available: true,
      reason: inKubernetes
        ? "the node's instance role, allowed in Kubernetes by allowInstanceRoleInKubernetes: true"
        : "the instance role, if this runs on EC2 (probed last)",
      details: { endpoint: input.imdsEndpoint },
    });
  }
  return plan;
}
