/**
 * What `describe()` of the env-gated chain reports: the mode, the chosen source and why every other
 * source was skipped. Plain data (JSON-safe, no secrets), plus a text rendering for logs and the CLI.
 */
import { maskAccessKeyId } from "../shared/mask-access-key-id.js";
import type { AppMode } from "./app-env.js";

/** The sources, in chain order. */
export type SourceName = "env-keys" | "web-identity" | "container" | "shared-config" | "instance-metadata";

/** Human names, as errors and logs use them. */
export const SOURCE_LABELS: Readonly<Record<SourceName, string>> = Object.freeze({
  "env-keys": "environment keys",
  "web-identity": "web identity token (IRSA)",
  container: "container credentials endpoint (ECS task role / EKS Pod Identity)",
  "shared-config": "shared config files",
  "instance-metadata": "instance role (IMDSv2)",
});

/**
 * - `chosen`: produced credentials; later calls use only this source.
 * - `candidate`: configured; will be tried (the first candidate is the one that will be used).
 * - `failed`: its last call failed (the reason is the error); it may still be the `chosen` one.
 * - `skipped`: not configured here, or not allowed (the reason says which).
 * - `unused`: configured, but an earlier source was chosen.
 */
export type SourceState = "chosen" | "candidate" | "failed" | "skipped" | "unused";

export interface SourceReport {
  source: SourceName;
  state: SourceState;
  reason: string;
  /** Non-secret settings: role ARN, token file path, region, endpoint, profile… */
  details?: Readonly<Record<string, string>>;
}

export interface ChainDescription {
  mode: AppMode;
  appEnv: string;
  /** `APP_ENV` or `the appEnv option`. */
  appEnvFrom: string;
  deployedEnvs: readonly string[];
  /**
   * Where this runs, by the deployment matrix (`PLATFORMS`): its id (`lambda`, `ecs-fargate`, `eks-irsa`, …),
   * name, and the variables that told it apart (names only).
   */
  platform?: { id: string; name: string; evidence: string[] };
  /** The source that produced credentials, once one has. */
  chosen: SourceName | undefined;
  sources: SourceReport[];
  /** Things worth knowing, e.g. variables that are set but ignored in this mode. */
  notes: string[];
}

/**
 * A multi-line text rendering of a description. An access key id in the details is masked (`AKIA…WXYZ`),
 * as `awscreds doctor` shows it.
 *
 * @example
 * ```ts
 * console.log(formatDescription(credentials.describe()));
 * // mode: deployed (APP_ENV="production")
 * // ✓ web-identity: chosen — …
 * ```
 */
export function formatDescription(description: ChainDescription): string {
  const marks: Record<SourceState, string> = { chosen: "✓", candidate: "→", failed: "✗", skipped: "-", unused: "·" };
  const lines = [`mode: ${description.mode} (${description.appEnvFrom}="${description.appEnv}")`];
  if (description.platform) {
    const evidence = description.platform.evidence.length > 0 ? ` (${description.platform.evidence.join(", ")})` : "";
    lines.push(`platform: ${description.platform.name}${evidence}`);
  }
  for (const source of description.sources) {
    const details = source.details
      ? ` [${Object.entries(source.details).map(([k, v]) => `${k}=${k === "accessKeyId" ? maskAccessKeyId(v) : v}`).join(", ")}]`
      : "";
    lines.push(`${marks[source.state]} ${source.source}: ${source.state}: ${source.reason}${details}`);
  }
  for (const note of description.notes) lines.push(`note: ${note}`);
  return lines.join("\n");
}
