/**
 * `--whoami`: STS GetCallerIdentity, signed with credentials doctor already resolved, at the endpoint the
 * chain would use. The client is configured explicitly (as the web identity provider's is), so neither
 * building it nor signing with it consults `~/.aws` or `AWS_ENDPOINT_URL_STS` (tested).
 */
import { performance } from "node:perf_hooks";
import type { AwsCredentialIdentity } from "@smithy/types";
import { messageOf } from "../../shared/errors.js";
import { watchClock } from "./clock-offset.js";
import type { ClockReport, WhoamiReport } from "./report.js";

export interface WhoamiInput {
  credentials: AwsCredentialIdentity;
  endpoint: string;
  /** The region to sign for (STS endpoints are regional). */
  signingRegion: string;
  timeoutMs?: number;
  /** Receives the clock offset measured on the call (null when the answer had no usable Date header). */
  onClock?: (clock: ClockReport | null) => void;
}

/**
 * Calls GetCallerIdentity and reports the account, ARN and user id (none of them secret).
 *
 * @example
 * ```ts
 * const me = await callerIdentity({ credentials, endpoint: "https://sts.eu-west-1.amazonaws.com", signingRegion: "eu-west-1" });
 * console.log(me.arn);
 * ```
 */
export async function callerIdentity(input: WhoamiInput): Promise<WhoamiReport> {
  const [{ STSClient, GetCallerIdentityCommand }, { NodeHttpHandler }] = await Promise.all([
    import("@aws-sdk/client-sts"),
    import("@smithy/node-http-handler"),
  ]);
  const timeoutMs = input.timeoutMs ?? 5_000;
  const client = new STSClient({
    region: input.signingRegion,
    endpoint: input.endpoint,
    credentials: input.credentials,
    defaultsMode: "standard",
    retryMode: "standard",
    maxAttempts: 2,
    useDualstackEndpoint: false,
    useFipsEndpoint: false,
    useGlobalEndpoint: false,
    ignoreConfiguredEndpointUrls: true,
    userAgentAppId: "awscreds-doctor",
    authSchemePreference: [],
    sigv4aSigningRegionSet: [],
    // Given, because the signer otherwise looks it up in ~/.aws/config (and credentials) on every request.
    disableClockSkewCorrection: false,
    requestHandler: new NodeHttpHandler({ connectionTimeout: Math.min(timeoutMs, 2_000), requestTimeout: timeoutMs, throwOnRequestTimeout: true }),
  });
  const clock = watchClock(client, input.endpoint);
  const started = performance.now();
  try {
    const out = await client.send(new GetCallerIdentityCommand({}));
    return {
      ok: true,
      endpoint: input.endpoint,
      durationMs: Math.round(performance.now() - started),
      account: out.Account ?? null,
      arn: out.Arn ?? null,
      userId: out.UserId ?? null,
      error: null,
    };
  } catch (error) {
    const code = typeof error === "object" && error !== null && "name" in error ? String((error as { name: unknown }).name) : "Error";
    const message = messageOf(error);
    return {
      ok: false,
      endpoint: input.endpoint,
      durationMs: Math.round(performance.now() - started),
      account: null,
      arn: null,
      userId: null,
      error: message.startsWith(code) || code === "Error" ? message : `${code}: ${message}`,
    };
  } finally {
    input.onClock?.(clock.report());
    client.destroy();
  }
}
