/**
 * `--assume-role <arn> [--external-id <id>]`: the AssumeRole a role cache would make for one tenant, signed
 * with the credentials doctor resolved, at the STS endpoint the providers use. A failure carries the
 * provider's own explanation (which role, which ExternalId, what to check in the trust policy).
 */
import { performance } from "node:perf_hooks";
import type { AwsCredentialIdentity } from "@smithy/types";
import { fromRegionalAssumeRole } from "../../sources/assume-role.js";
import type { EnvVars } from "../../shared/env.js";
import { messageOf } from "../../shared/errors.js";
import type { AssumeRoleProbeReport } from "./report.js";

export interface AssumeRoleProbeInput {
  roleArn: string;
  externalId: string | undefined;
  credentials: AwsCredentialIdentity | undefined;
  env: EnvVars;
  region: string | undefined;
  stsEndpoint: string | undefined;
  allowInsecureEndpoint: boolean;
}

/**
 * @example
 * ```ts
 * const report = await probeAssumeRole({ roleArn, externalId: "acme-7f3k9q", credentials, env: process.env, region: "eu-west-1", stsEndpoint: undefined, allowInsecureEndpoint: false });
 * ```
 */
export async function probeAssumeRole(input: AssumeRoleProbeInput): Promise<AssumeRoleProbeReport> {
  const base: AssumeRoleProbeReport = {
    ok: false,
    roleArn: input.roleArn,
    externalId: input.externalId ?? null,
    endpoint: null,
    durationMs: null,
    accountId: null,
    expiration: null,
    roleChaining: null,
    error: null,
  };
  const credentials = input.credentials;
  if (credentials === undefined) return { ...base, error: "not called: credentials did not resolve" };
  let provider;
  try {
    provider = fromRegionalAssumeRole({
      roleArn: input.roleArn,
      ...(input.externalId !== undefined && { externalId: input.externalId }),
      roleSessionName: "awscreds-doctor",
      source: async () => credentials,
      env: input.env,
      ...(input.region !== undefined && { region: input.region }),
      ...(input.stsEndpoint !== undefined && { endpoint: input.stsEndpoint }),
      allowInsecureEndpoint: input.allowInsecureEndpoint,
      retry: { maxAttempts: 2 },
    });
  } catch (error) {
    return { ...base, error: messageOf(error) };
  }
  const started = performance.now();
  try {
    const assumed = await provider();
    const d = provider.describe();
    return {
      ...base,
      ok: true,
      endpoint: d.endpoint ?? null,
      durationMs: Math.round(performance.now() - started),
      accountId: assumed.accountId ?? null,
      expiration: assumed.expiration?.toISOString() ?? null,
      roleChaining: d.roleChaining ?? null,
    };
  } catch (error) {
    const d = provider.describe();
    return { ...base, endpoint: d.endpoint ?? null, durationMs: Math.round(performance.now() - started), roleChaining: d.roleChaining ?? null, error: messageOf(error) };
  } finally {
    provider.destroy();
  }
}
