/**
 * The doctor report: what `awscreds doctor --json` prints, and what the human output is rendered from.
 *
 * Stability contract (`schemaVersion: 1`): every field listed here is always present (unknown or
 * not-applicable values are `null`, never missing); new fields may be added within version 1; renaming,
 * removing or changing the meaning of a field bumps `schemaVersion`. Warning `code`s are stable
 * identifiers, their `message`s are prose and may change. No field ever holds a secret: no secret access
 * key, session token or web identity token; access key ids are masked (`ASIA…WXYZ`).
 * Documented for users in docs/doctor.md.
 */
import type { SourceName, SourceState } from "../../sources/describe.js";

export const DOCTOR_SCHEMA_VERSION = 1 as const;

export interface DoctorReport {
  schemaVersion: typeof DOCTOR_SCHEMA_VERSION;
  awscredsVersion: string;
  /** ISO 8601, when the report was made. */
  generatedAt: string;
  /** The answer: would credentials resolve, from which source, and why (not). Decides the exit code. */
  verdict: Verdict;
  appEnv: AppEnvReport;
  platform: PlatformReport;
  /** Every source of the chain, in chain order, as `fromEnvGatedChain().describe()` reports it. */
  sources: SourceEntry[];
  /** The STS endpoint web identity would call; null when the chain would not call STS (local mode, other sources). */
  stsEndpoint: StsEndpointReport | null;
  /** The web identity token, decoded without verification; null when web identity is not configured or not used. */
  webIdentityToken: TokenReport | null;
  /** The instance metadata probe; null when it was not probed (local mode, not needed, or disabled). */
  imds: ImdsReport | null;
  warnings: Warning[];
  /** Informational remarks (e.g. variables that are set but ignored in this mode). */
  notes: string[];
  /** With `--resolve` (or `--whoami`): the fetch through the chain; otherwise null. */
  resolve: ResolveReport | null;
  /** With `--whoami`: STS GetCallerIdentity; otherwise null. */
  whoami: WhoamiReport | null;
  /** With `--whoami`: the local clock against STS's, from its answer; null otherwise (or without a Date header). */
  clock: ClockReport | null;
  /** With `--assume-role`: STS AssumeRole of that role with the resolved credentials; otherwise null. */
  assumeRole: AssumeRoleProbeReport | null;
}

export interface Verdict {
  /** Credentials would resolve (`basis: "predicted"`) or did (`basis: "verified"`). Exit code 0 iff true. */
  ok: boolean;
  /** `predicted`: from configuration, files and probes, nothing fetched. `verified`: fetched with --resolve/--whoami. */
  basis: "predicted" | "verified";
  /** The source that would provide (or provided) the credentials. */
  source: SourceName | null;
  /** Why: one paragraph, with what to do when `ok` is false. */
  reason: string;
}

export interface AppEnvReport {
  /** The APP_ENV value (trimmed); `""` when set but blank; null when unset. */
  value: string | null;
  /** `APP_ENV`; null when unset. */
  from: string | null;
  /** null when APP_ENV is unset (the chain refuses to start). */
  mode: "local" | "deployed" | null;
  /** Normalized names that mean deployed. */
  deployedEnvs: string[];
}

export interface PlatformReport {
  /**
   * The deployment matrix's reading (docs/deployments.md): `lambda`, `lambda-snapstart`, `ecs-fargate`, `ecs-ec2`,
   * `batch`, `codebuild`, `eks-irsa`, `eks-pod-identity`, `kubernetes`, `app-runner`, `ec2`, `ci-runner` or `laptop`;
   * null when APP_ENV is unset.
   */
  id: string | null;
  /** Its human name, e.g. `AWS Lambda`; null when APP_ENV is unset. */
  name: string | null;
  /** The variables that identified it (names only; empty when nothing did). */
  evidence: string[];
  /** The source that is the platform's workload identity (e.g. `env-keys` on Lambda); null when APP_ENV is unset. */
  identity: SourceName | null;
  /** `KUBERNETES_SERVICE_HOST` is set. */
  kubernetes: boolean;
  /** A container credentials endpoint is configured (ECS task role, EKS Pod Identity). */
  containerCredentials: boolean;
  /** The region STS would be called in (option/AWS_REGION/AWS_DEFAULT_REGION); null when none is set. */
  region: string | null;
  /** Where the region came from, e.g. `AWS_REGION`; null when none. */
  regionFrom: string | null;
}

export interface SourceEntry {
  source: SourceName;
  /** `chosen` (produced credentials), `candidate` (the first one to be tried), `failed`, `skipped`, `unused`. */
  state: SourceState;
  reason: string;
  /** Non-secret settings: role ARN, token file, region, endpoint, profile. Empty object when none. */
  details: Record<string, string>;
}

export interface StsEndpointReport {
  /** The URL, e.g. `https://sts.eu-west-1.amazonaws.com`; null when it cannot be determined. */
  url: string | null;
  /** `regional`, `fips` or `custom` (the --sts-endpoint / webIdentity.endpoint option); null with a problem. */
  kind: "regional" | "fips" | "custom" | null;
  /** Why this endpoint. */
  reason: string;
  /** Why there is none, e.g. no region configured. */
  problem: string | null;
  /**
   * Regional failover (`AWSCREDS_STS_FAILOVER_REGIONS`): the regions tried, in order, when this endpoint fails
   * with a retryable error, and their endpoints; null without failover.
   */
  failover: { from: string; endpoints: { region: string; url: string | null }[] } | null;
  /** With `--resolve`: the endpoint that answered, and each endpoint's circuit breaker. */
  inUse?: { url: string | null; breakers: string };
}

export interface TokenReport {
  path: string;
  /** Where the path came from, e.g. `AWS_WEB_IDENTITY_TOKEN_FILE`. */
  from: string;
  readable: boolean;
  /** Why it cannot be used (missing, unreadable, empty, not a JWT, expired); null when fine. */
  problem: string | null;
  /** ISO 8601 mtime of the file; null when it cannot be stat'ed. */
  modifiedAt: string | null;
  /** Seconds since the file was last written (the kubelet rewrites it when it rotates the token). */
  ageSeconds: number | null;
  /** Decoded claims; null when the token is not a readable JWT. */
  claims: TokenClaims | null;
}

export interface TokenClaims {
  issuer: string | null;
  /** `aud`, always as a list. IRSA expects `sts.amazonaws.com`. */
  audience: string[];
  /** `sub`, e.g. `system:serviceaccount:<namespace>:<service-account>`. */
  subject: string | null;
  /** ISO 8601 from `iat`. */
  issuedAt: string | null;
  /** ISO 8601 from `exp`. */
  expiresAt: string | null;
  /** `exp` is in the past. */
  expired: boolean;
}

export interface ImdsReport {
  endpoint: string;
  /** The metadata service answered the IMDSv2 token request. */
  reachable: boolean;
  /** The instance profile's role name, when one is attached (not secret); null otherwise. */
  roleName: string | null;
  /** Why it is not usable; null when a role is reachable. */
  problem: string | null;
  durationMs: number;
}

export interface Warning {
  /** Stable identifier, e.g. `shared-credentials-file`, `sts-regional-endpoints-legacy`. */
  code: string;
  message: string;
}

export interface ResolveReport {
  ok: boolean;
  /** The source that produced (or failed to produce) credentials. */
  source: SourceName | null;
  /** Wall time of the fetch, ms. */
  durationMs: number;
  /** ISO 8601; null when the credentials do not expire (or on failure). */
  expiration: string | null;
  expiresInSeconds: number | null;
  /** Masked, e.g. `ASIA…WXYZ`. */
  accessKeyId: string | null;
  accountId: string | null;
  /** The error message on failure; null on success. */
  error: string | null;
}

export interface ClockReport {
  /** STS's clock minus the local clock, ms: positive when the local clock is behind. */
  offsetMs: number;
  /** The measurement's bound, ± ms: half the round trip plus half a second (the Date header's resolution). */
  uncertaintyMs: number;
  /** What it was measured against, e.g. `the Date header of STS's answer at https://sts.eu-west-1.amazonaws.com`. */
  measuredAgainst: string;
  /** The SDK client's `systemClockOffset` after the call: it corrects itself only after AWS rejects a skewed request. */
  sdkSystemClockOffsetMs: number;
  /** More than 5 minutes off even at the favourable end of the bound: AWS rejects the signatures. */
  skewed: boolean;
}

export interface WhoamiReport {
  ok: boolean;
  /** The STS endpoint called; null when none could be determined (then `error` says why). */
  endpoint: string | null;
  durationMs: number | null;
  account: string | null;
  arn: string | null;
  userId: string | null;
  error: string | null;
}

export interface AssumeRoleProbeReport {
  ok: boolean;
  roleArn: string;
  /** As given with --external-id (an identifier, not a secret); null when none was given. */
  externalId: string | null;
  /** The STS endpoint called; null when the call could not be made. */
  endpoint: string | null;
  durationMs: number | null;
  /** The role's account (the credentials' `accountId`). */
  accountId: string | null;
  expiration: string | null;
  /** Whether the resolved credentials were a role session (then at most 3600 s). */
  roleChaining: boolean | null;
  /** The provider's explanation on failure; null on success. */
  error: string | null;
}
