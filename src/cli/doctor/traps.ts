/**
 * Known traps, each a warning with a stable code. Pure: a function of facts collected elsewhere.
 *
 * What doctor looks at in each mode, and why:
 * - Local mode: the environment only. Doctor does not touch `~/.aws` at all — not even `stat` — because
 *   the gated chain never reads it locally and an engineer's laptop is *expected* to have it; looking
 *   would only add noise (and the rule "no file under ~/.aws is opened in local mode" stays simple).
 * - Deployed mode: `stat` (never open/read) of the shared files, because there a credentials file baked
 *   into an image or host is a trap: the SDK's default chain reads it *before* the web identity token.
 */
import type { AppMode } from "../../sources/app-env.js";
import { isLocalName, nearMissHint } from "../../sources/app-env-near-miss.js";
import { environmentKeysAreWorkloadIdentity, type DetectedPlatform } from "../../sources/platforms.js";
import { isLoopbackHost } from "../../sts/custom-endpoint.js";
import { readVar, type EnvVars } from "../../shared/env.js";
import type { SharedFilesFound } from "./shared-files.js";
import type { ImdsReport, TokenReport, Warning } from "./report.js";

export interface TrapFacts {
  mode: AppMode;
  env: EnvVars;
  kubernetes: boolean;
  /** Deployed mode only (undefined in local mode: not looked at). */
  sharedFiles: SharedFilesFound | undefined;
  /** The --shared-config option: shared files are wanted. */
  sharedConfigWanted: boolean;
  imds: ImdsReport | null;
  allowInstanceRoleInKubernetes: boolean;
  token: TokenReport | null;
  /** The --sts-endpoint option. */
  stsEndpointOption: string | undefined;
  /** Whether web identity is configured (role ARN and token file set). */
  webIdentityConfigured: boolean;
  containerConfigured: boolean;
  deployedEnvs: readonly string[];
  appEnv: string;
  /** Where `APP_ENV` came from (`APP_ENV` or the appEnv option), as messages name it. */
  appEnvFrom: string;
  /** The deployment matrix's reading of the environment, for this mode. */
  platform: DetectedPlatform;
}

/** Link-local hosts that are plain HTTP by design (IMDS, ECS and EKS Pod Identity agents). */
const LINK_LOCAL_HTTP_HOSTS = new Set(["169.254.169.254", "[fd00:ec2::254]", "169.254.170.2", "169.254.170.23", "[fd00:ec2::23]"]);

/** Token audiences STS accepts for IRSA by default. */
const STS_AUDIENCES = new Set(["sts.amazonaws.com", "sts.amazonaws.com.cn"]);

const DAY_SECONDS = 24 * 3600;

function endpointVariables(env: EnvVars): string[] {
  const names = Object.keys(env).filter((name) => name === "AWS_ENDPOINT_URL" || name.startsWith("AWS_ENDPOINT_URL_"));
  return [...names.sort(), "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_EC2_METADATA_SERVICE_ENDPOINT"];
}

function plainHttpHost(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:") return undefined;
  if (isLoopbackHost(url.hostname) || LINK_LOCAL_HTTP_HOSTS.has(url.hostname)) return undefined;
  return url.host;
}

/**
 * The warnings for `facts`, in a stable order.
 *
 * @example
 * ```ts
 * findTraps(facts).map((w) => w.code); // ["sts-regional-endpoints-legacy", "node-role-reachable"]
 * ```
 */
export function findTraps(facts: TrapFacts): Warning[] {
  const { env } = facts;
  const warnings: Warning[] = [];
  const add = (code: string, message: string): void => void warnings.push({ code, message });

  if (facts.mode === "local") {
    const nearMiss = nearMissHint(facts.appEnv, facts.deployedEnvs, facts.appEnvFrom);
    if (nearMiss !== undefined) add("app-env-near-miss", nearMiss);
    // Name exactly the variables that are set: "both are set" when one is would send people looking for the other.
    const variables = [
      ...(facts.platform.platform.mode === "deployed" ? facts.platform.evidence : []),
      ...(facts.kubernetes ? ["KUBERNETES_SERVICE_HOST"] : []),
      ...(facts.containerConfigured ? ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"].filter((n) => readVar(env, n) !== undefined) : []),
      ...(facts.webIdentityConfigured ? ["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"].filter((n) => readVar(env, n) !== undefined) : []),
    ];
    const set = [...new Set(variables)];
    if (set.length > 0) {
      const like = facts.platform.platform.mode === "deployed" ? `${facts.platform.platform.name}` : "a deployed environment";
      // Never advise making a laptop's name deployed: every laptop would then skip its keys for workload identity.
      const rename = isLocalName(facts.appEnv) ? "" : ` (or, if "${facts.appEnv}" is the name of a deployed environment, add it to deployedEnvs)`;
      add(
        "local-mode-in-deployed-environment",
        `${facts.appEnvFrom}="${facts.appEnv}" means local mode, but this looks like ${like}: ${set.join(", ")} ${set.length > 1 ? "are" : "is"} set. ` +
          `Local mode uses only AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and ignores workload identity. If this is deployed, ` +
          `set APP_ENV to one of: ${facts.deployedEnvs.join(", ") || "(none configured)"}${rename}.`,
      );
    }
  }

  if (facts.mode === "deployed" && !facts.sharedConfigWanted && facts.sharedFiles) {
    const { credentialsFile, configFile } = facts.sharedFiles;
    if (credentialsFile !== undefined) {
      add(
        "shared-credentials-file",
        `${credentialsFile} exists in a deployed environment. awscreds does not read it here, but any AWS SDK client created ` +
          `without explicit credentials (the SDK's default chain, in this service or in a library it uses) reads it before ` +
          `the web identity token and the container endpoint, and so runs with whatever keys it holds. Remove it from the ` +
          `image or host; deployed workloads should use their workload identity.`,
      );
    }
    if (configFile !== undefined) {
      add(
        "shared-config-file",
        `${configFile} exists in a deployed environment. awscreds does not read it here; the SDK's default chain would read ` +
          `its profiles (role_arn, credential_process, sso) before the workload identity. Make sure it holds no credentials settings.`,
      );
    }
  }

  if (readVar(env, "AWS_STS_REGIONAL_ENDPOINTS")?.toLowerCase() === "legacy") {
    add(
      "sts-regional-endpoints-legacy",
      `AWS_STS_REGIONAL_ENDPOINTS=legacy is set. awscreds ignores it and always calls STS in the workload's region, but ` +
        `other SDK clients and providers in this process (the default chain, fromTokenFile, an STSClient) then call the global ` +
        `endpoint sts.amazonaws.com for us-east-1 and the legacy global regions — a single point of failure in us-east-1, ` +
        `slower from other regions. Remove the variable (regional is the SDK v3 default).`,
    );
  }

  if (facts.mode === "deployed" && facts.kubernetes && facts.imds?.roleName && !facts.allowInstanceRoleInKubernetes) {
    add(
      "node-role-reachable",
      `The node's instance role "${facts.imds.roleName}" is reachable from this pod through the metadata service at ` +
        `${facts.imds.endpoint}. awscreds will not use it in Kubernetes, but the SDK's default chain (and any process in the ` +
        `pod) can, with the permissions meant for the node. Require IMDSv2 with a hop limit of 1 on the nodes ` +
        `(HttpPutResponseHopLimit=1) or block 169.254.169.254 for pods with a network policy.`,
    );
  }

  if (facts.mode === "deployed") {
    // On Lambda the keys are the execution role's: the workload identity, not stray.
    if (readVar(env, "AWS_ACCESS_KEY_ID") !== undefined && !environmentKeysAreWorkloadIdentity(facts.platform)) {
      add(
        "env-keys-in-deployed",
        `AWS_ACCESS_KEY_ID is set in a deployed environment. awscreds ignores it here, but the SDK's default chain uses ` +
          `environment keys first, ahead of the workload identity, in every client built without explicit credentials. ` +
          `Remove the keys from the deployment.`,
      );
    }
    if (readVar(env, "AWS_ENDPOINT_URL_STS") !== undefined && facts.stsEndpointOption === undefined && facts.webIdentityConfigured) {
      add(
        "sts-endpoint-variable-ignored",
        `AWS_ENDPOINT_URL_STS is set, but awscreds' web identity provider does not read it (a stray variable must not send ` +
          `the pod's token elsewhere); it calls the regional endpoint. To use a custom STS endpoint (VPC endpoint, LocalStack), ` +
          `pass the webIdentity.endpoint option (doctor: --sts-endpoint).`,
      );
    }
    const insecure = endpointVariables(env)
      .map((name) => ({ name, host: plainHttpHost(readVar(env, name) ?? "") }))
      .filter((e): e is { name: string; host: string } => e.host !== undefined);
    const stsHost = facts.stsEndpointOption !== undefined ? plainHttpHost(facts.stsEndpointOption) : undefined;
    if (stsHost !== undefined) insecure.push({ name: "--sts-endpoint", host: stsHost });
    for (const { name, host } of insecure) {
      add(
        "insecure-endpoint",
        `${name} is plain http:// to ${host}, which is neither this machine nor an AWS link-local agent: requests travel ` +
          `unencrypted, with the session token of signed calls (and, for STS, the web identity token) readable on the way. Use https://.`,
      );
    }
  }

  const token = facts.token;
  if (token?.claims) {
    const audience = token.claims.audience;
    if (!audience.some((a) => STS_AUDIENCES.has(a))) {
      add(
        "token-audience",
        `The web identity token's audience is ${audience.length > 0 ? audience.map((a) => `"${a}"`).join(", ") : "empty"}, not ` +
          `sts.amazonaws.com. Unless the IAM OIDC provider lists that audience as a client ID and the role's trust policy ` +
          `allows it, STS rejects the token (InvalidIdentityToken). For IRSA the projected token's audience is sts.amazonaws.com.`,
      );
    }
    if (token.ageSeconds !== null && token.ageSeconds > DAY_SECONDS && !token.claims.expired) {
      add(
        "token-file-stale",
        `The web identity token file was last written ${Math.round(token.ageSeconds / 3600)} h ago. The kubelet rewrites ` +
          `projected tokens after 80% of their lifetime or 24 h, whichever comes first; an older file suggests rotation stopped ` +
          `or the path is not the projected volume.`,
      );
    }
  }
  return warnings;
}
