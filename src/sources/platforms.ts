/**
 * The deployment matrix: which platform this process runs on, told from the variables the platform itself
 * sets, and which source is that platform's workload identity. One table, read by the deployed chain (may
 * it use environment keys, is there an instance role to fall back to) and by `awscreds doctor` (what it
 * says), and written out for users in docs/deployments.md. Pure: a function of the environment.
 *
 * Every row cites the AWS documentation its variables come from. Rows are in detection order: the first
 * row whose `matches` holds is the platform (Lambda before the generic container endpoint, EKS before a
 * bare Kubernetes pod, a CI runner before a laptop).
 */
import type { AppMode } from "./app-env.js";
import type { SourceName } from "./describe.js";
import { readVar, type EnvVars } from "../shared/env.js";

export type PlatformId =
  | "lambda"
  | "lambda-snapstart"
  | "ecs-fargate"
  | "ecs-ec2"
  | "batch"
  | "codebuild"
  | "eks-irsa"
  | "eks-pod-identity"
  | "kubernetes"
  | "app-runner"
  | "ec2"
  | "ci-runner"
  | "laptop";

/**
 * Whether an instance role can be reached through the metadata service, and whether it belongs to this
 * workload: `yes` (EC2, ECS on EC2), `node` (Kubernetes: the node's role, shared by every pod, used only
 * with `allowInstanceRoleInKubernetes`), `none` (Lambda, Fargate: no metadata service, so never tried).
 */
export type InstanceRoleReach = "yes" | "node" | "none";

export interface Platform {
  id: PlatformId;
  /** Human name, as doctor and errors say it. */
  name: string;
  /** The mode the platform is meant to run in: `deployed` on AWS, `local` on a laptop or a CI runner. */
  mode: AppMode;
  /** What identifies it: the variables the platform sets (as documented). */
  identifiedBy: string;
  /** The variables and endpoints it hands credentials through. */
  provides: string;
  /**
   * The source that is its workload identity (local rows: the environment keys); null where the platform
   * gives the workload none by itself (a Kubernetes pod without IRSA or Pod Identity).
   */
  identity: Exclude<SourceName, "shared-config"> | null;
  instanceRole: InstanceRoleReach;
  /** What to set so awscreds works there (one line, as docs/deployments.md says it). */
  setup: string;
  /** AWS's documentation of the variables and endpoints above. */
  docs: readonly string[];
  /** The platform's variables that are set in `env`, when they identify it; `undefined` when they do not. */
  evidence(env: EnvVars): string[] | undefined;
}

/** Names of the variables among `names` that are set (not blank) in `env`. */
const setOf = (env: EnvVars, names: readonly string[]): string[] => names.filter((name) => readVar(env, name) !== undefined);

const ECS_VARIABLES = ["ECS_CONTAINER_METADATA_URI_V4", "ECS_CONTAINER_METADATA_URI"] as const;
/** The EKS Pod Identity agent's link-local addresses (IPv4 and IPv6). */
const POD_IDENTITY_HOSTS = new Set(["169.254.170.23", "[fd00:ec2::23]"]);
const CI_VARIABLES = ["CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "CIRCLECI", "JENKINS_URL", "TF_BUILD", "BITBUCKET_BUILD_NUMBER"] as const;

/**
 * Lambda, told from the variables the Lambda runtime sets and a function cannot set itself (they are
 * reserved): the function name together with the runtime API, the task root or a Lambda
 * `AWS_EXECUTION_ENV` (OS-only runtimes, `provided.*`, do not set `AWS_EXECUTION_ENV`). Never from the keys:
 * keys alone are what a stray deployment looks like. A Kubernetes pod or an ECS task is never Lambda,
 * whatever variables it copies.
 */
function lambdaEvidence(env: EnvVars): string[] | undefined {
  if (readVar(env, "AWS_LAMBDA_FUNCTION_NAME") === undefined) return undefined;
  if (readVar(env, "KUBERNETES_SERVICE_HOST") !== undefined || setOf(env, ECS_VARIABLES).length > 0) return undefined;
  const runtime = [
    readVar(env, "AWS_LAMBDA_RUNTIME_API") !== undefined && "AWS_LAMBDA_RUNTIME_API",
    readVar(env, "LAMBDA_TASK_ROOT") !== undefined && "LAMBDA_TASK_ROOT",
    readVar(env, "AWS_EXECUTION_ENV")?.startsWith("AWS_Lambda_") && "AWS_EXECUTION_ENV",
  ].filter((name): name is string => typeof name === "string");
  return runtime.length > 0 ? ["AWS_LAMBDA_FUNCTION_NAME", ...runtime] : undefined;
}

const executionEnv = (env: EnvVars): string | undefined => readVar(env, "AWS_EXECUTION_ENV");
const kubernetes = (env: EnvVars): boolean => readVar(env, "KUBERNETES_SERVICE_HOST") !== undefined;

function podIdentityHost(env: EnvVars): boolean {
  const full = readVar(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (full === undefined) return false;
  try {
    return POD_IDENTITY_HOSTS.has(new URL(full).hostname);
  } catch {
    return false;
  }
}

const LAMBDA_ENV_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime";

/** The matrix, in detection order. */
export const PLATFORMS: readonly Platform[] = Object.freeze([
  {
    id: "lambda-snapstart",
    name: "AWS Lambda with SnapStart",
    mode: "deployed",
    identifiedBy: "AWS_LAMBDA_FUNCTION_NAME with AWS_LAMBDA_RUNTIME_API / LAMBDA_TASK_ROOT, and AWS_CONTAINER_CREDENTIALS_FULL_URI",
    provides: "the execution role through the container endpoint: AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN (no keys in the environment)",
    identity: "container",
    instanceRole: "none",
    setup: "APP_ENV=production as a function environment variable; Lambda serves the execution role at the container endpoint itself",
    docs: [LAMBDA_ENV_DOCS, "https://docs.aws.amazon.com/lambda/latest/dg/snapstart-activate.html#snapstart-credentials"],
    evidence: (env) => {
      const lambda = lambdaEvidence(env);
      return lambda && readVar(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI") !== undefined ? [...lambda, "AWS_CONTAINER_CREDENTIALS_FULL_URI"] : undefined;
    },
  },
  {
    id: "lambda",
    name: "AWS Lambda",
    mode: "deployed",
    identifiedBy: "AWS_LAMBDA_FUNCTION_NAME with AWS_LAMBDA_RUNTIME_API / LAMBDA_TASK_ROOT / AWS_EXECUTION_ENV=AWS_Lambda_* (zip and container images alike)",
    provides: "the execution role's keys: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (no expiration given); no instance metadata",
    identity: "env-keys",
    instanceRole: "none",
    setup: "APP_ENV=production as a function environment variable; Lambda sets the execution role's keys itself (code must not overwrite them)",
    docs: [LAMBDA_ENV_DOCS, "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html"],
    evidence: lambdaEvidence,
  },
  {
    id: "codebuild",
    name: "AWS CodeBuild",
    mode: "deployed",
    identifiedBy: "CODEBUILD_BUILD_ID / CODEBUILD_BUILD_ARN",
    provides: "the project's service role through the container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)",
    identity: "container",
    instanceRole: "yes",
    setup: "APP_ENV=production (or staging, integration) in the build project's environment; nothing else",
    docs: ["https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html", "https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html"],
    evidence: (env) => {
      const set = setOf(env, ["CODEBUILD_BUILD_ID", "CODEBUILD_BUILD_ARN"]);
      return set.length > 0 ? set : undefined;
    },
  },
  {
    id: "batch",
    name: "AWS Batch",
    mode: "deployed",
    identifiedBy: "AWS_BATCH_JOB_ID (AWS_BATCH_ is a reserved prefix)",
    provides: "the job role through the container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI), as on ECS; on EKS compute, IRSA or Pod Identity",
    identity: "container",
    instanceRole: "yes",
    setup: "APP_ENV=production in the job definition's environment and a jobRoleArn",
    docs: ["https://docs.aws.amazon.com/batch/latest/userguide/job_env_vars.html", "https://docs.aws.amazon.com/batch/latest/userguide/job-definition-parameters.html"],
    evidence: (env) => (readVar(env, "AWS_BATCH_JOB_ID") !== undefined && !kubernetes(env) ? ["AWS_BATCH_JOB_ID"] : undefined),
  },
  {
    id: "ecs-fargate",
    name: "Amazon ECS on Fargate",
    mode: "deployed",
    identifiedBy: "AWS_EXECUTION_ENV=AWS_ECS_FARGATE, ECS_CONTAINER_METADATA_URI_V4",
    provides: "the task role through the container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI at 169.254.170.2); no instance metadata",
    identity: "container",
    instanceRole: "none",
    setup: "APP_ENV=production in the task definition and a task role (taskRoleArn)",
    docs: ["https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html", "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4-fargate.html"],
    evidence: (env) => (executionEnv(env) === "AWS_ECS_FARGATE" ? ["AWS_EXECUTION_ENV", ...setOf(env, ECS_VARIABLES)] : undefined),
  },
  {
    id: "ecs-ec2",
    name: "Amazon ECS on EC2",
    mode: "deployed",
    identifiedBy: "AWS_EXECUTION_ENV=AWS_ECS_EC2, ECS_CONTAINER_METADATA_URI_V4",
    provides: "the task role through the container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI at 169.254.170.2); the container instance's role through IMDS unless blocked",
    identity: "container",
    instanceRole: "yes",
    setup: "APP_ENV=production in the task definition and a task role (taskRoleArn)",
    docs: ["https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html", "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4.html"],
    evidence: (env) => {
      if (executionEnv(env) === "AWS_ECS_EC2") return ["AWS_EXECUTION_ENV", ...setOf(env, ECS_VARIABLES)];
      const metadata = setOf(env, ECS_VARIABLES);
      return metadata.length > 0 && !kubernetes(env) ? metadata : undefined;
    },
  },
  {
    id: "eks-pod-identity",
    name: "Amazon EKS with Pod Identity",
    mode: "deployed",
    identifiedBy:
      "KUBERNETES_SERVICE_HOST with AWS_CONTAINER_CREDENTIALS_FULL_URI at the Pod Identity agent (169.254.170.23 or [fd00:ec2::23]) or with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    provides: "AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (the agent's endpoint)",
    identity: "container",
    instanceRole: "node",
    setup: "APP_ENV=production in the pod spec and a pod identity association for the service account",
    docs: ["https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html", "https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html"],
    // The agent's address, or the projected token file the EKS webhook mounts with it: either is Pod Identity.
    evidence: (env) => {
      if (!kubernetes(env) || readVar(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI") === undefined) return undefined;
      const tokenFile = readVar(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") !== undefined;
      if (!podIdentityHost(env) && !tokenFile) return undefined;
      return ["KUBERNETES_SERVICE_HOST", "AWS_CONTAINER_CREDENTIALS_FULL_URI", ...(tokenFile ? ["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] : [])];
    },
  },
  {
    id: "eks-irsa",
    name: "Amazon EKS with IRSA",
    mode: "deployed",
    identifiedBy: "KUBERNETES_SERVICE_HOST with AWS_ROLE_ARN / AWS_WEB_IDENTITY_TOKEN_FILE (set by the EKS pod identity webhook)",
    provides: "AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE (a projected service account token), AWS_REGION, AWS_STS_REGIONAL_ENDPOINTS=regional",
    identity: "web-identity",
    instanceRole: "node",
    setup: "APP_ENV=production in the pod spec and the eks.amazonaws.com/role-arn annotation on the service account",
    docs: ["https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html", "https://docs.aws.amazon.com/eks/latest/userguide/pod-configuration.html"],
    evidence: (env) => {
      const set = setOf(env, ["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"]);
      return kubernetes(env) && set.length > 0 ? ["KUBERNETES_SERVICE_HOST", ...set] : undefined;
    },
  },
  {
    id: "kubernetes",
    name: "Kubernetes (no IRSA, no Pod Identity)",
    mode: "deployed",
    identifiedBy: "KUBERNETES_SERVICE_HOST alone",
    provides: "nothing of the pod's own: only the node's instance role through IMDS, which awscreds does not use unless allowed",
    identity: null,
    instanceRole: "node",
    setup: "give the pod its own role: IRSA (service account annotation) or an EKS Pod Identity association",
    docs: ["https://kubernetes.io/docs/tasks/run-application/access-api-from-pod/", "https://docs.aws.amazon.com/eks/latest/userguide/service-accounts.html"],
    evidence: (env) => (kubernetes(env) ? ["KUBERNETES_SERVICE_HOST"] : undefined),
  },
  {
    // App Runner documents no variable of its own (AWSAPPRUNNER is only a reserved prefix); its instance role
    // reaches the SDKs the way a Fargate task role does. So this row is "a container endpoint, nothing else".
    id: "app-runner",
    name: "AWS App Runner (or another service with the ECS credentials endpoint)",
    mode: "deployed",
    identifiedBy: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI with no ECS, Batch or CodeBuild variable (App Runner documents no variable of its own)",
    provides: "the instance role through the container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)",
    identity: "container",
    instanceRole: "yes",
    setup: "APP_ENV=production in the service's environment variables and an instance role",
    docs: ["https://docs.aws.amazon.com/apprunner/latest/dg/security_iam_service-with-iam.html#security_iam_service-with-iam-roles-service.instance", "https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html"],
    evidence: (env) => {
      const set = setOf(env, ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"]);
      return set.length > 0 ? set : undefined;
    },
  },
  {
    id: "ci-runner",
    name: "CI runner",
    mode: "local",
    identifiedBy: "CI / GITHUB_ACTIONS / GITLAB_CI / BUILDKITE / CIRCLECI / JENKINS_URL / TF_BUILD / BITBUCKET_BUILD_NUMBER",
    provides: "keys it exports (aws-actions/configure-aws-credentials, CI secrets): AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN)",
    identity: "env-keys",
    instanceRole: "yes",
    setup: "APP_ENV=ci (any name that is not deployed) and the keys; with APP_ENV=production the keys are refused",
    docs: ["https://docs.github.com/en/actions/reference/variables-reference#default-environment-variables", "https://docs.aws.amazon.com/sdkref/latest/guide/feature-static-credentials.html"],
    evidence: (env) => {
      const set = setOf(env, CI_VARIABLES);
      return set.length > 0 ? set : undefined;
    },
  },
  {
    // Nothing in the environment says "EC2": what is left in deployed mode is the instance role, probed last.
    id: "ec2",
    name: "Amazon EC2 (nothing else detected)",
    mode: "deployed",
    identifiedBy: "no platform variable; the instance metadata service answers at 169.254.169.254",
    provides: "the instance profile's role through IMDSv2",
    identity: "instance-metadata",
    instanceRole: "yes",
    setup: "APP_ENV=production and an instance profile; IMDSv2 with a hop limit of 2 for containers",
    docs: ["https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html", "https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-credentials.html"],
    evidence: () => [],
  },
  {
    id: "laptop",
    name: "a laptop (nothing else detected)",
    mode: "local",
    identifiedBy: "no platform variable",
    provides: "whatever keys are exported (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; LocalStack: test/test)",
    identity: "env-keys",
    instanceRole: "yes",
    setup: "APP_ENV=local (any name that is not deployed) and the keys; ~/.aws is never read",
    docs: ["https://docs.aws.amazon.com/sdkref/latest/guide/feature-static-credentials.html"],
    evidence: () => [],
  },
] satisfies Platform[]);

export interface DetectedPlatform {
  platform: Platform;
  /** The variables that identified it (empty for the "nothing detected" rows). */
  evidence: string[];
}

/**
 * The platform this environment is, by the first matching row of {@link PLATFORMS}. With no platform
 * variable at all, `ec2` in deployed mode (the instance role is what is left), `laptop` in local mode.
 *
 * @example
 * ```ts
 * detectPlatform({ AWS_LAMBDA_FUNCTION_NAME: "orders", LAMBDA_TASK_ROOT: "/var/task" }, "deployed").platform.id; // "lambda"
 * detectPlatform({}, "local").platform.id; // "laptop"
 * ```
 */
export function detectPlatform(env: EnvVars, mode: AppMode): DetectedPlatform {
  for (const platform of PLATFORMS) {
    if (platform.id === "ec2" || platform.id === "laptop") continue;
    const evidence = platform.evidence(env);
    if (evidence !== undefined) return { platform, evidence };
  }
  return { platform: platformById(mode === "deployed" ? "ec2" : "laptop"), evidence: [] };
}

/** The row of `id`. */
export function platformById(id: PlatformId): Platform {
  return PLATFORMS.find((p) => p.id === id)!;
}

/**
 * Deployed mode takes environment keys as the workload identity only where the platform hands its role
 * over that way (AWS Lambda); everywhere else keys in a deployed environment are stray and refused.
 */
export function environmentKeysAreWorkloadIdentity(detected: DetectedPlatform): boolean {
  return detected.platform.mode === "deployed" && detected.platform.identity === "env-keys";
}

/** The function's name on Lambda (not secret; named in descriptions), else undefined. */
export function lambdaFunctionName(env: EnvVars): string | undefined {
  return readVar(env, "AWS_LAMBDA_FUNCTION_NAME");
}
