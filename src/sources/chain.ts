/**
 * `fromEnvGatedChain`: the APP_ENV-gated chain. Local means explicit environment keys only; deployed
 * means workload identity only (web identity → container endpoint → instance role), first one wins.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { silentLogger, type Logger } from "../shared/logger.js";
import type { TelemetryOption } from "../telemetry/options.js";
import { markSourceKind } from "../telemetry/source-kind.js";
import { decideAppMode, type AppMode, type AppModeDecision } from "./app-env.js";
import { fromContainerEndpoint, type ContainerSourceOptions } from "./container.js";
import { KUBERNETES_IMDS_REASON, planDeployedSources, type PlannedSource } from "./deployed-plan.js";
import { SOURCE_LABELS, type ChainDescription, type SourceName, type SourceReport } from "./describe.js";
import { fromLocalEnvKeys, readLocalKeys, localKeysErrorMessage } from "./env-keys.js";
import { credentialsError, messageOf, tryNextLinkOf } from "../shared/errors.js";
import { readVar, resolveEnv, type EnvOption, type EnvVars } from "../shared/env.js";
import { fromInstanceRole, imdsEndpointLabel, type InstanceMetadataSourceOptions } from "./instance-metadata.js";
import { nearMissHint } from "./app-env-near-miss.js";
import { chainSourceLogger } from "./chain-source-logger.js";
import { fromLambdaExecutionRole, lambdaKeysOwner } from "./lambda-keys.js";
import { detectPlatform, environmentKeysAreWorkloadIdentity, lambdaFunctionName, type DetectedPlatform } from "./platforms.js";
import { fromSharedConfigProfile, readSharedConfigSettings } from "./shared-config.js";
import type { StsFailoverStatus } from "../sts/failover.js";
import { fromRegionalWebIdentity, type RegionalWebIdentityOptions } from "./web-identity.js";

export interface EnvGatedChainOptions extends EnvOption {
  /** The environment's name; overrides `APP_ENV`. One of them is required. */
  appEnv?: string;
  /** Names that mean "deployed" (case and surrounding whitespace ignored). Default: production, staging, integration. */
  deployedEnvs?: readonly string[];
  /** Options of the web identity source (region, endpoint, timeouts…); `env` and `logger` come from here. */
  webIdentity?: Omit<RegionalWebIdentityOptions, "env" | "logger">;
  /** Options of the container endpoint source. */
  container?: ContainerSourceOptions;
  /** Options of the instance-metadata source. */
  instanceMetadata?: InstanceMetadataSourceOptions;
  /** In Kubernetes (`KUBERNETES_SERVICE_HOST` set), allow the node's instance role. Default false. */
  allowInstanceRoleInKubernetes?: boolean;
  /**
   * Deployed mode only: also read the shared config/credentials files (`true`: profile from `AWS_PROFILE`,
   * else `default`), tried after the container endpoint and before the instance role. Never used locally.
   */
  sharedConfig?: boolean | { profile?: string };
  /** SDK-compatible logger (`console` works). Default: silent. */
  logger?: Logger;
  /**
   * OpenTelemetry reporting of the web identity source (see `RegionalWebIdentityOptions.telemetry`;
   * `webIdentity.telemetry` wins). Default: the global providers when `@opentelemetry/api` is installed.
   */
  telemetry?: TelemetryOption;
}

/** The chain's provider: a plain credentials provider with `describe()`. */
export type EnvGatedChainProvider = AwsCredentialIdentityProvider & {
  /** `local` or `deployed`, decided at construction. */
  readonly mode: AppMode;
  /** The mode, the platform, the chosen source and why each other source was skipped. No secrets. */
  describe(): ChainDescription;
  /**
   * Whose credentials the chain hands out, in words (no secret), once a source has produced them, e.g. the
   * execution role of a Lambda function; undefined before. A refresher's `status().identity` is this.
   */
  identity(): string | undefined;
  /**
   * When the source is (or will be) web identity: its STS endpoint in use and each endpoint's circuit
   * breaker. Otherwise undefined.
   */
  stsStatus(): StsFailoverStatus | undefined;
  /** Closes the web identity source's STS client sockets, if one was built; a later call builds a new one. */
  destroy(): void;
  /** Same as `destroy()`: `using`, and `createSwapper` disposing a chain it swapped out, close the sockets. */
  [Symbol.dispose](): void;
};

/**
 * An `APP_ENV`-gated credentials provider.
 *
 * - `APP_ENV` (or `appEnv`) is required; missing, the constructor throws an error naming it.
 * - Local (any name not in `deployedEnvs`): `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`)
 *   only, read on each call. No file under `~/.aws` is opened, no metadata endpoint contacted.
 * - Deployed: web identity token (IRSA) → container endpoint (ECS, EKS Pod Identity, Lambda SnapStart) → on AWS
 *   Lambda only, the execution role's keys in the environment → shared files (only with `sharedConfig`) →
 *   instance role (IMDSv2; off in Kubernetes unless `allowInstanceRoleInKubernetes`, never tried on Lambda or
 *   Fargate). Which platform this is comes from the deployment matrix (`PLATFORMS`), from the variables the
 *   platform sets; outside Lambda, environment keys in deployed mode are ignored (and `doctor` warns).
 *   The first configured source is used and kept; a configured source that fails is an error, never a
 *   silent switch to another identity. A half-configured web identity (`AWS_ROLE_ARN` without
 *   `AWS_WEB_IDENTITY_TOKEN_FILE`, or the reverse, or one of them blank) is such an error: it is logged at
 *   construction, `describe()` reports it as `failed`, and resolving rejects naming both variables. Only a
 *   source none of whose variables is set is skipped. Deployed configuration is read when the chain is created.
 *
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3";
 * import { fromEnvGatedChain } from "awscreds";
 *
 * const credentials = fromEnvGatedChain(); // APP_ENV=production on EKS, APP_ENV=local on a laptop
 * const s3 = new S3Client({ credentials });
 * console.log(credentials.describe());
 * ```
 */
export function fromEnvGatedChain(options: EnvGatedChainOptions = {}): EnvGatedChainProvider {
  const logger = options.logger ?? silentLogger;
  const decision = decideAppMode({ appEnv: options.appEnv, deployedEnvs: options.deployedEnvs, env: resolveEnv(options.env) });
  return decision.mode === "local" ? localChain(decision, options, logger) : deployedChain(decision, options, logger);
}

function localChain(decision: AppModeDecision, options: EnvGatedChainOptions, logger: Logger): EnvGatedChainProvider {
  const keys = fromLocalEnvKeys({ env: options.env, logger, appEnv: decision.appEnv, deployedEnvs: decision.deployedEnvs });
  // APP_ENV=prod is a deployed environment misnamed far more often than a laptop: say so at once.
  const nearMiss = nearMissHint(decision.appEnv, decision.deployedEnvs, decision.from);
  if (nearMiss !== undefined) logger.warn(`awscreds: ${nearMiss}`);
  let succeeded = false;
  let lastError: string | undefined;

  const provider = (async () => {
    try {
      const credentials = await keys();
      succeeded = true;
      lastError = undefined;
      return credentials;
    } catch (error) {
      lastError = messageOf(error);
      throw error;
    }
  }) as EnvGatedChainProvider;
  Object.defineProperty(provider, "mode", { value: "local", enumerable: true });
  // Nothing to close: environment keys hold no sockets; no STS either.
  provider.destroy = (): void => undefined;
  provider.stsStatus = (): undefined => undefined;
  provider[Symbol.dispose] = provider.destroy;
  provider.identity = () =>
    succeeded ? `environment keys (local mode, ${decision.from}="${decision.appEnv}") on ${detectPlatform(resolveEnv(options.env), "local").platform.name}` : undefined;
  markSourceKind(provider, "env");

  provider.describe = (): ChainDescription => {
    const env = resolveEnv(options.env);
    const reading = readLocalKeys(env);
    const never = `never used in local mode (${decision.from}="${decision.appEnv}")`;
    const keysReport: SourceReport = reading.ok
      ? {
          source: "env-keys",
          state: succeeded ? "chosen" : "candidate",
          reason: `AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set${reading.credentials.sessionToken ? " (with AWS_SESSION_TOKEN)" : ""}`,
          details: { accessKeyId: reading.credentials.accessKeyId },
        }
      : { source: "env-keys", state: lastError ? "failed" : "candidate", reason: localKeysErrorMessage(reading.problem, { ...decision, env }) };
    const others: SourceName[] = ["web-identity", "container", "shared-config", "instance-metadata"];
    return {
      ...describeMode(decision),
      platform: platformOf(detectPlatform(env, "local")),
      chosen: succeeded && reading.ok ? "env-keys" : undefined,
      sources: [keysReport, ...others.map((source): SourceReport => ({ source, state: "skipped", reason: never }))],
      notes: ignoredVariableNotes(env, ["AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], "local"),
    };
  };
  return provider;
}

function deployedChain(decision: AppModeDecision, options: EnvGatedChainOptions, logger: Logger): EnvGatedChainProvider {
  const env: EnvVars = resolveEnv(options.env);
  const platform = detectPlatform(env, "deployed");
  // A source's own error that stops the chain is logged once, by the chain, with the chain's context.
  const sourceLogger = chainSourceLogger(logger);
  const webIdentity = fromRegionalWebIdentity({ telemetry: options.telemetry, ...options.webIdentity, env, logger: sourceLogger });
  const sharedConfig = options.sharedConfig
    ? readSharedConfigSettings(typeof options.sharedConfig === "object" ? options.sharedConfig : {}, env)
    : undefined;
  const imdsEndpoint = imdsEndpointLabel();
  const planNow = (): PlannedSource[] =>
    planDeployedSources({
      env,
      webIdentity: webIdentity.describe(),
      sharedConfig,
      allowInstanceRoleInKubernetes: options.allowInstanceRoleInKubernetes === true,
      imdsEndpoint,
      platform,
    });

  // A configured source that cannot work (half-configured web identity) is an error at first resolution; say
  // so now too, so a service that never resolves at startup still has it in its log.
  const misconfigured = planNow().find((p) => p.problem !== undefined);
  if (misconfigured) {
    logger.error(
      `awscreds: deployed mode, ${decision.from}="${decision.appEnv}": the ${SOURCE_LABELS[misconfigured.source]} cannot work: ` +
        `${misconfigured.problem}. Credentials will not resolve, and no other source is tried instead.`,
    );
  }

  const providers = new Map<SourceName, AwsCredentialIdentityProvider>();
  const sourceProvider = (source: PlannedSource["source"]): AwsCredentialIdentityProvider => {
    let provider = providers.get(source);
    if (!provider) {
      switch (source) {
        case "web-identity":
          provider = webIdentity;
          break;
        case "container":
          provider = fromContainerEndpoint({ ...options.container, env, logger: sourceLogger });
          break;
        case "env-keys":
          provider = fromLambdaExecutionRole({ env, logger: sourceLogger, functionName: lambdaFunctionName(env) });
          break;
        case "shared-config":
          provider = fromSharedConfigProfile({ settings: sharedConfig!, logger: sourceLogger });
          break;
        case "instance-metadata":
          provider = fromInstanceRole({ ...options.instanceMetadata, env, logger: sourceLogger });
          break;
      }
      providers.set(source, provider);
    }
    return provider;
  };

  let chosen: PlannedSource["source"] | undefined;
  let failure: { source: SourceName; message: string } | undefined;
  const skippedAtRuntime = new Map<SourceName, string>();
  let firstResolution: Promise<AwsCredentialIdentity> | undefined;
  const where = `deployed mode, ${decision.from}="${decision.appEnv}"`;

  const skippedSummary = (plan: PlannedSource[]): string =>
    plan
      .filter((p) => !p.available || skippedAtRuntime.has(p.source))
      .map((p) => `${p.source}: ${skippedAtRuntime.get(p.source) ?? p.reason}`)
      .join("; ");

  /** `plan` is only needed to explain a failure: the steady-state call (no plan given) plans only then. */
  async function callSource(source: PlannedSource["source"], plan?: PlannedSource[]): Promise<AwsCredentialIdentity> {
    try {
      const credentials = await sourceProvider(source)();
      failure = undefined;
      return credentials;
    } catch (error) {
      const message = messageOf(error);
      failure = { source, message };
      const others = source === "instance-metadata" ? ` Other sources: ${skippedSummary(plan ?? planNow())}.` : "";
      throw credentialsError(
        `${message} (${where}: the ${SOURCE_LABELS[source]} is the configured source, and awscreds does not fall back ` +
          `to another identity when it fails.)${others}`,
        { tryNextLink: false, logger, cause: error },
      );
    }
  }

  async function resolveFirst(): Promise<AwsCredentialIdentity> {
    const plan = planNow();
    for (const planned of plan) {
      if (!planned.available || skippedAtRuntime.has(planned.source)) continue;
      if (planned.source === "shared-config") {
        // A profile that is not in the files means "not configured here": move on, say why.
        try {
          const credentials = await sourceProvider("shared-config")();
          chosen = "shared-config";
          failure = undefined;
          return credentials;
        } catch (error) {
          if (tryNextLinkOf(error) === true) {
            skippedAtRuntime.set("shared-config", messageOf(error));
            continue;
          }
          failure = { source: "shared-config", message: messageOf(error) };
          throw credentialsError(`${messageOf(error)} (${where}.)`, { tryNextLink: false, logger, cause: error });
        }
      }
      const credentials = await callSource(planned.source, plan);
      chosen = planned.source;
      logger.info(`awscreds: ${where}: using the ${SOURCE_LABELS[planned.source]} (${platform.platform.name})`);
      return credentials;
    }
    // Only the instance role, off in a pod, has this reason; it already says what to configure instead.
    const kubernetes = plan.some((p) => p.reason === KUBERNETES_IMDS_REASON);
    throw credentialsError(
      `No credential source is available (${where}). ${skippedSummary(plan)}.` +
        (kubernetes
          ? ""
          : platform.evidence.length > 0
            ? // The platform is known: say what its workload identity needs (the matrix's "what to set").
              ` On ${platform.platform.name} (${platform.evidence.join(", ")} set), set up its workload identity: ${platform.platform.setup}.`
            : " Configure workload identity for this service (IRSA or EKS Pod Identity on EKS, a task role on ECS, an instance profile on EC2)."),
      { tryNextLink: false, logger },
    );
  }

  const provider = (async () => {
    if (chosen !== undefined) return callSource(chosen);
    // Concurrent first callers share one walk of the chain.
    firstResolution ??= resolveFirst().finally(() => {
      firstResolution = undefined;
    });
    return firstResolution;
  }) as EnvGatedChainProvider;
  Object.defineProperty(provider, "mode", { value: "deployed", enumerable: true });
  // The SDK's container and IMDS providers are built per call and keep no sockets; the STS client does.
  provider.destroy = (): void => webIdentity.destroy();
  provider[Symbol.dispose] = provider.destroy;
  // A configured web identity is always the first source and is never skipped or passed over (its failure
  // stops the chain), so it is (or will be) the source exactly when it is configured; unconfigured or
  // half-configured, it has no STS status of its own.
  provider.stsStatus = () => webIdentity.stsStatus();

  // On Lambda the keys are the identity, not stray.
  const ignored = environmentKeysAreWorkloadIdentity(platform) ? [] : ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
  if (!sharedConfig) ignored.push("AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE");
  provider.describe = (): ChainDescription => {
    const plan = planNow();
    const firstCandidate = plan.find((p) => p.available && !skippedAtRuntime.has(p.source))?.source;
    const sources = plan.map((p): SourceReport => {
      const report: SourceReport = { source: p.source, state: "skipped", reason: p.reason };
      if (p.details) report.details = p.details;
      if (failure?.source === p.source) Object.assign(report, { state: "failed", reason: failure.message });
      else if (chosen === p.source) report.state = "chosen";
      else if (skippedAtRuntime.has(p.source)) Object.assign(report, { state: "skipped", reason: skippedAtRuntime.get(p.source) });
      else if (p.problem !== undefined) report.state = "failed";
      else if (p.available) report.state = chosen !== undefined || p.source !== firstCandidate ? "unused" : "candidate";
      return report;
    });
    return {
      ...describeMode(decision),
      platform: platformOf(platform),
      chosen,
      sources,
      notes: ignoredVariableNotes(env, ignored, "deployed"),
    };
  };
  provider.identity = (): string | undefined => {
    if (chosen === undefined) return undefined;
    if (chosen === "env-keys") return lambdaKeysOwner(lambdaFunctionName(env));
    const details = sourceWhat(planNow(), chosen);
    return `the ${SOURCE_LABELS[chosen]}${details} on ${platform.platform.name}`;
  };
  // `awscreds.source` of a refresher around the chain: the source it settled on.
  return markSourceKind(provider, () => (chosen === "env-keys" ? "env" : (chosen ?? "chain")));
}

function describeMode(decision: AppModeDecision): Pick<ChainDescription, "mode" | "appEnv" | "appEnvFrom" | "deployedEnvs"> {
  return { mode: decision.mode, appEnv: decision.appEnv, appEnvFrom: decision.from, deployedEnvs: decision.deployedEnvs };
}

/** The role ARN or endpoint of a source, for `identity()` (never a secret). */
function sourceWhat(plan: PlannedSource[], source: SourceName): string {
  const details = plan.find((p) => p.source === source)?.details;
  const what = details?.roleArn ?? details?.endpoint ?? details?.profile;
  return what ? ` (${what})` : "";
}

function platformOf(detected: DetectedPlatform): NonNullable<ChainDescription["platform"]> {
  return { id: detected.platform.id, name: detected.platform.name, evidence: [...detected.evidence] };
}

function ignoredVariableNotes(env: EnvVars, names: string[], mode: AppMode): string[] {
  const set = names.filter((name) => readVar(env, name) !== undefined);
  if (set.length === 0) return [];
  return [`${set.join(", ")} ${set.length > 1 ? "are" : "is"} set but ignored in ${mode} mode`];
}
