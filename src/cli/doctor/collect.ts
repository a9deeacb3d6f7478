/**
 * Builds the doctor report. The decisions are the sources' own: the chain's `describe()`, its plan of
 * deployed sources, the local-keys reader, the web identity configuration and the STS endpoint rules;
 * doctor adds what only a diagnosis needs (token claims, file checks, probes, traps) and, when asked,
 * resolves through the very same chain.
 */
import { performance } from "node:perf_hooks";
import type { AwsCredentialIdentity } from "@smithy/types";
import { fromEnvGatedChain, type EnvGatedChainProvider } from "../../sources/chain.js";
import { readContainerSettings } from "../../sources/container.js";
import { SOURCE_LABELS, type SourceName } from "../../sources/describe.js";
import { localKeysErrorMessage, readLocalKeys } from "../../sources/env-keys.js";
import { readBoolVar, readVar, type EnvVars } from "../../shared/env.js";
import { messageOf } from "../../shared/errors.js";
import { imdsEndpointLabel } from "../../sources/instance-metadata.js";
import { lambdaKeysOwner } from "../../sources/lambda-keys.js";
import { detectPlatform, lambdaFunctionName, type DetectedPlatform } from "../../sources/platforms.js";
import { resolveStsRegion } from "../../sts/region.js";
import { fromRegionalWebIdentity, type WebIdentityDescription } from "../../sources/web-identity.js";
import { packageVersion } from "../../shared/version.js";
import { probeImds } from "./imds-probe.js";
import { maskAccessKeyId } from "./mask.js";
import { DOCTOR_SCHEMA_VERSION, type ClockReport, type DoctorReport, type ImdsReport, type ResolveReport, type SourceEntry, type StsEndpointReport, type TokenReport, type Verdict, type WhoamiReport } from "./report.js";
import { nameDoctorFlags } from "./flag-names.js";
import { unknownRegionWarning } from "./region-check.js";
import { findSharedFiles, type SharedFilesFound } from "./shared-files.js";
import { stsEndpointReport } from "./sts-endpoint.js";
import { formatBreakers } from "../../sts/failover-format.js";
import { inspectTokenFile } from "./token-file.js";
import { findTraps } from "./traps.js";
import { probeAssumeRole } from "./assume-role-probe.js";
import { callerIdentity } from "./whoami.js";
import { clockSkewWarning } from "./clock-warning.js";

export interface DoctorOptions {
  /** Fetch credentials through the chain. */
  resolve?: boolean;
  /** Call GetCallerIdentity (implies `resolve`). */
  whoami?: boolean;
  /** Call AssumeRole for this role with the resolved credentials (implies `resolve`). */
  assumeRole?: string;
  /** The ExternalId for `assumeRole`. */
  externalId?: string;
  /** The webIdentity.endpoint option; also the endpoint of `whoami`. */
  stsEndpoint?: string;
  allowInsecureEndpoint?: boolean;
  deployedEnvs?: readonly string[];
  allowInstanceRoleInKubernetes?: boolean;
  sharedConfig?: boolean;
  /** Bound on each IMDS probe request, ms. Default 1000. */
  imdsTimeoutMs?: number;
}

const NOT_VERIFIED = "Not verified: run with --resolve to fetch them.";

/**
 * Collects the report for the variables in `env` (pass `process.env` itself for the real process: the
 * SDK's instance-metadata provider reads `process.env` directly).
 *
 * @example
 * ```ts
 * const report = await collectDoctorReport(process.env, { resolve: true });
 * process.exitCode = report.verdict.ok ? 0 : 1;
 * ```
 */
export async function collectDoctorReport(env: EnvVars, options: DoctorOptions = {}): Promise<DoctorReport> {
  const now = Date.now();
  const region = resolveStsRegion({ env });
  const report: DoctorReport = {
    schemaVersion: DOCTOR_SCHEMA_VERSION,
    awscredsVersion: packageVersion(),
    generatedAt: new Date(now).toISOString(),
    verdict: { ok: false, basis: "predicted", source: null, reason: "" },
    appEnv: { value: null, from: null, mode: null, deployedEnvs: [] },
    platform: {
      id: null,
      name: null,
      evidence: [],
      identity: null,
      kubernetes: readVar(env, "KUBERNETES_SERVICE_HOST") !== undefined,
      containerCredentials: readContainerSettings(env).configured,
      region: region.ok ? region.region : null,
      regionFrom: region.ok ? region.from : null,
    },
    sources: [],
    stsEndpoint: null,
    webIdentityToken: null,
    imds: null,
    warnings: [],
    notes: [],
    resolve: null,
    whoami: null,
    clock: null,
    assumeRole: null,
  };

  let chain: EnvGatedChainProvider;
  try {
    chain = fromEnvGatedChain({
      env,
      deployedEnvs: options.deployedEnvs,
      allowInstanceRoleInKubernetes: options.allowInstanceRoleInKubernetes,
      sharedConfig: options.sharedConfig,
      webIdentity: { endpoint: options.stsEndpoint, allowInsecureEndpoint: options.allowInsecureEndpoint },
    });
  } catch (error) {
    // APP_ENV missing: the chain refuses to start, and so would the service.
    report.verdict.reason = messageOf(error);
    // Set but blank is not unset: `value: ""` says which (the schema keeps null for unset).
    if (env.APP_ENV !== undefined && readVar(env, "APP_ENV") === undefined) report.appEnv = { ...report.appEnv, value: "", from: "APP_ENV" };
    return nameDoctorFlags(report);
  }

  const description = chain.describe();
  report.appEnv = { value: description.appEnv, from: description.appEnvFrom, mode: description.mode, deployedEnvs: [...description.deployedEnvs] };
  // The same reading of the deployment matrix as the chain's.
  const platform = detectPlatform(env, description.mode);
  report.platform = {
    ...report.platform,
    id: platform.platform.id,
    name: platform.platform.name,
    evidence: [...platform.evidence],
    identity: platform.platform.identity,
  };
  let webIdentity: WebIdentityDescription;
  try {
    webIdentity = fromRegionalWebIdentity({ env, endpoint: options.stsEndpoint, allowInsecureEndpoint: options.allowInsecureEndpoint }).describe();
  } catch (error) {
    // A failover list the provider refuses (e.g. another partition's region): local mode never builds it.
    webIdentity = { configured: true, problem: messageOf(error) };
  }
  let sharedFiles: SharedFilesFound | undefined;

  if (description.mode === "local") {
    report.verdict = predictLocal(env, description.appEnv, description.deployedEnvs);
  } else {
    // Before any resolution, "failed" means configured but unusable (half-configured web identity): the chain
    // stops there, so that is the source to judge, not a later candidate.
    const selected = description.sources.find((s) => s.state === "candidate" || s.state === "chosen" || s.state === "failed")?.source;
    if (webIdentity.configured && webIdentity.webIdentityTokenFile !== undefined) {
      report.webIdentityToken = await inspectTokenFile(webIdentity.webIdentityTokenFile, webIdentity.from?.webIdentityTokenFile ?? "AWS_WEB_IDENTITY_TOKEN_FILE", now);
    }
    if (webIdentity.configured) {
      report.stsEndpoint = await stsEndpointReport({
        env,
        customEndpoint: options.stsEndpoint,
        allowInsecureEndpoint: options.allowInsecureEndpoint === true,
        ...(webIdentity.region !== undefined && { region: { region: webIdentity.region, from: webIdentity.from?.region ?? "AWS_REGION" } }),
        ...(webIdentity.useFipsEndpoint !== undefined && { useFipsEndpoint: webIdentity.useFipsEndpoint }),
        ...(webIdentity.failoverRegions?.length && { failover: { regions: webIdentity.failoverRegions, from: webIdentity.from?.failoverRegions ?? "failoverRegions" } }),
      });
    }
    sharedFiles = await findSharedFiles(env);
    const imdsDisabled = readBoolVar(env, "AWS_EC2_METADATA_DISABLED");
    if (!imdsDisabled && (selected === "instance-metadata" || report.platform.kubernetes)) {
      report.imds = await probeImds(imdsEndpointLabel(), options.imdsTimeoutMs ?? 1_000);
    }
    report.verdict = await predictDeployed({ chain, selected, webIdentity, token: report.webIdentityToken, sts: report.stsEndpoint, imds: report.imds, env, platform });
  }

  if (options.resolve || options.whoami || options.assumeRole !== undefined) {
    const { resolve, credentials } = await resolveThroughChain(chain);
    report.resolve = resolve;
    const sts = chain.stsStatus();
    if (sts !== undefined && report.stsEndpoint !== null) report.stsEndpoint.inUse = { url: sts.endpointInUse ?? null, breakers: formatBreakers(sts.endpoints) };
    if (options.whoami) {
      report.whoami = await whoami(env, options, webIdentity, credentials, (clock) => {
        report.clock = clock;
      });
    }
    report.verdict = verifiedVerdict(resolve, report.whoami);
    if (options.assumeRole !== undefined) {
      const probe = await probeAssumeRole({
        roleArn: options.assumeRole,
        externalId: options.externalId,
        credentials,
        env,
        region: webIdentity.region ?? (region.ok ? region.region : undefined),
        stsEndpoint: options.stsEndpoint,
        allowInsecureEndpoint: options.allowInsecureEndpoint === true,
      });
      report.assumeRole = probe;
      if (report.verdict.ok && !probe.ok) report.verdict = { ...report.verdict, ok: false, reason: `${report.verdict.reason} But AssumeRole of ${probe.roleArn} failed: ${probe.error}` };
    }
  }

  const final = chain.describe();
  report.sources = final.sources.map((s): SourceEntry => ({ source: s.source, state: s.state, reason: s.reason, details: maskDetails(s.details) }));
  report.notes = [...final.notes];
  report.warnings = findTraps({
    mode: description.mode,
    env,
    kubernetes: report.platform.kubernetes,
    sharedFiles,
    sharedConfigWanted: options.sharedConfig === true,
    imds: report.imds,
    allowInstanceRoleInKubernetes: options.allowInstanceRoleInKubernetes === true,
    token: report.webIdentityToken,
    stsEndpointOption: options.stsEndpoint,
    // The provider's own reading: configured means role ARN and token file are both set.
    webIdentityConfigured: webIdentity.configured,
    containerConfigured: report.platform.containerCredentials,
    deployedEnvs: description.deployedEnvs,
    appEnv: description.appEnv,
    appEnvFrom: description.appEnvFrom,
    platform,
  });
  if (report.clock?.skewed) report.warnings.push(clockSkewWarning(report.clock));
  const regionWarning = region.ok ? await unknownRegionWarning(region) : undefined;
  if (regionWarning) report.warnings.push(regionWarning);
  return nameDoctorFlags(report);
}

function predictLocal(env: EnvVars, appEnv: string, deployedEnvs: readonly string[]): Verdict {
  const reading = readLocalKeys(env);
  if (reading.ok) {
    return {
      ok: true,
      basis: "predicted",
      source: "env-keys",
      reason: `Local mode: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set${reading.credentials.sessionToken ? " (with AWS_SESSION_TOKEN)" : ""}; they are the only credentials local mode uses.`,
    };
  }
  return { ok: false, basis: "predicted", source: "env-keys", reason: localKeysErrorMessage(reading.problem, { appEnv, env, deployedEnvs }) };
}

interface DeployedFacts {
  chain: EnvGatedChainProvider;
  selected: SourceName | undefined;
  webIdentity: WebIdentityDescription;
  token: TokenReport | null;
  sts: StsEndpointReport | null;
  imds: ImdsReport | null;
  env: EnvVars;
  platform: DetectedPlatform;
}

async function predictDeployed(facts: DeployedFacts): Promise<Verdict> {
  const fail = (source: SourceName | null, reason: string): Verdict => ({ ok: false, basis: "predicted", source, reason });
  const pass = (source: SourceName, reason: string): Verdict => ({ ok: true, basis: "predicted", source, reason });
  switch (facts.selected) {
    case undefined: {
      // Nothing is available: the chain's own error says why, and producing it touches no network.
      try {
        await facts.chain();
        return fail(null, "No credential source is available.");
      } catch (error) {
        return fail(null, messageOf(error));
      }
    }
    case "web-identity": {
      const w = facts.webIdentity;
      if (w.problem !== undefined) return fail("web-identity", `Web identity: ${w.problem}.`);
      if (facts.token?.problem) return fail("web-identity", facts.token.problem);
      if (facts.sts?.problem) return fail("web-identity", `Web identity: ${facts.sts.problem}.`);
      return pass(
        "web-identity",
        `Credentials would come from the ${SOURCE_LABELS["web-identity"]}: AssumeRoleWithWebIdentity for ${w.roleArn} at ${facts.sts?.url ?? "the regional STS endpoint"}. ${NOT_VERIFIED}`,
      );
    }
    case "container": {
      const settings = readContainerSettings(facts.env);
      return pass("container", `Credentials would come from the ${SOURCE_LABELS.container} at ${settings.endpoint} (${settings.from}). ${NOT_VERIFIED}`);
    }
    case "shared-config":
      return pass("shared-config", `Credentials would come from the shared config files (the --shared-config option). ${NOT_VERIFIED}`);
    case "instance-metadata": {
      if (facts.imds?.roleName) {
        return pass("instance-metadata", `Credentials would come from the instance role "${facts.imds.roleName}" through IMDSv2 at ${facts.imds.endpoint}. ${NOT_VERIFIED}`);
      }
      return fail(
        "instance-metadata",
        `No workload identity is configured, so the chain would fall back to the instance role, but ${facts.imds?.problem ?? "the metadata service was not probed"}. ` +
          `Configure workload identity for this service (IRSA or EKS Pod Identity on EKS, a task role on ECS, an instance profile on EC2).`,
      );
    }
    case "env-keys":
      // Only on AWS Lambda does the deployed chain take environment keys (the deployment matrix says so).
      return pass(
        "env-keys",
        `On ${facts.platform.platform.name} (${facts.platform.evidence.join(", ")} set), credentials would come from ` +
          `${lambdaKeysOwner(lambdaFunctionName(facts.env))}. They are this function's workload identity: nothing to remove, ` +
          `and no instance metadata is tried (Lambda has none). ${NOT_VERIFIED}`,
      );
  }
}

async function resolveThroughChain(chain: EnvGatedChainProvider): Promise<{ resolve: ResolveReport; credentials: AwsCredentialIdentity | undefined }> {
  const started = performance.now();
  try {
    const credentials = await chain();
    const durationMs = Math.round(performance.now() - started);
    const expiration = credentials.expiration;
    return {
      credentials,
      resolve: {
        ok: true,
        source: chain.describe().chosen ?? null,
        durationMs,
        expiration: expiration ? expiration.toISOString() : null,
        expiresInSeconds: expiration ? Math.round((expiration.getTime() - Date.now()) / 1000) : null,
        accessKeyId: maskAccessKeyId(credentials.accessKeyId),
        accountId: credentials.accountId ?? null,
        error: null,
      },
    };
  } catch (error) {
    const durationMs = Math.round(performance.now() - started);
    const failed = chain.describe().sources.find((s) => s.state === "failed")?.source ?? null;
    return {
      credentials: undefined,
      resolve: { ok: false, source: failed, durationMs, expiration: null, expiresInSeconds: null, accessKeyId: null, accountId: null, error: messageOf(error) },
    };
  }
}

async function whoami(
  env: EnvVars,
  options: DoctorOptions,
  webIdentity: WebIdentityDescription,
  credentials: AwsCredentialIdentity | undefined,
  onClock: (clock: ClockReport | null) => void,
): Promise<WhoamiReport> {
  const none = { durationMs: null, account: null, arn: null, userId: null };
  const sts = await stsEndpointReport({
    env,
    customEndpoint: options.stsEndpoint,
    allowInsecureEndpoint: options.allowInsecureEndpoint === true,
    ...(webIdentity.region !== undefined && { region: { region: webIdentity.region, from: webIdentity.from?.region ?? "AWS_REGION" } }),
  });
  if (sts.url === null) return { ok: false, endpoint: null, ...none, error: `no STS endpoint for GetCallerIdentity: ${sts.problem ?? sts.reason}` };
  if (credentials === undefined) return { ok: false, endpoint: sts.url, ...none, error: "not called: credentials did not resolve" };
  const region = webIdentity.region ?? (() => {
    const r = resolveStsRegion({ env });
    return r.ok ? r.region : "us-east-1"; // only reachable with a custom endpoint (LocalStack and the like)
  })();
  return callerIdentity({ credentials, endpoint: sts.url, signingRegion: region, onClock });
}

function verifiedVerdict(resolve: ResolveReport, whoami: WhoamiReport | null): Verdict {
  const source = resolve.source;
  if (!resolve.ok) return { ok: false, basis: "verified", source, reason: resolve.error ?? "credentials did not resolve" };
  const from = source ? `the ${SOURCE_LABELS[source]}` : "the chain";
  const resolved = `Credentials resolved from ${from} in ${resolve.durationMs} ms`;
  if (whoami === null) return { ok: true, basis: "verified", source, reason: `${resolved}.` };
  if (!whoami.ok) return { ok: false, basis: "verified", source, reason: `${resolved}, but GetCallerIdentity failed: ${whoami.error}` };
  return { ok: true, basis: "verified", source, reason: `${resolved}; STS says they belong to ${whoami.arn} (account ${whoami.account}).` };
}

/** Source details with the access key id masked like everywhere else in the report. */
function maskDetails(details: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const copy = { ...details };
  if (copy.accessKeyId !== undefined) copy.accessKeyId = maskAccessKeyId(copy.accessKeyId);
  return copy;
}
