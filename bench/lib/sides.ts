/**
 * The providers compared in the load, outage and hot-path scenarios, each behind its own real `SQSClient`
 * (a resolution is `client.config.credentials()`, what the client does before signing each request):
 *
 * - SDK default: `fromTokenFile` (explicit options) and `fromNodeProviderChain` (environment-driven, as
 *   deployed services use it); the client wraps both in its own memoization with the 5-minute window;
 * - awscreds: `createRefresher(fromRegionalWebIdentity())` and `createRefresher(fromEnvGatedChain())` in
 *   deployed mode.
 *
 * Each side assumes its own role, so the fake STS's call log tells whose call each one was.
 */
import { SQSClient } from "@aws-sdk/client-sqs";
import { fromNodeProviderChain, fromTokenFile } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { createRefresher, type RefreshOptions } from "../../src/refresh/index.js";
import { fromEnvGatedChain, fromRegionalWebIdentity } from "../../src/sources/index.js";
import type { FakeAws } from "../../src/testing/index.js";

export type SideKey = "sdk-token-file" | "sdk-node-chain" | "awscreds-web-identity" | "awscreds-env-gated";

export interface Side {
  key: SideKey;
  /** Row label, e.g. `SDK: fromTokenFile`. */
  label: string;
  side: "sdk" | "awscreds";
  /** The role this side assumes: its STS calls are the fake's calls with this `roleArn`. */
  roleArn: string;
  client: SQSClient;
  /** One resolution through the client. */
  resolve(): Promise<AwsCredentialIdentity>;
  /** Settles when the side has its first credentials (a first resolution for the SDK, `ready` for awscreds). */
  warm(): Promise<void>;
  close(): void;
}

export interface SidesOptions {
  fake: FakeAws;
  tokenFile: string;
  /** Options of the awscreds refreshers (e.g. a `period` matching the SDK's refresh cadence). */
  refresh?: RefreshOptions;
  /** Which sides to build. Default: all four. */
  only?: readonly SideKey[];
}

/** Environment the SDK default chain reads (set by the caller for the scenario's duration). */
export function sdkChainEnv(fake: FakeAws, tokenFile: string): Record<string, string> {
  return {
    AWS_REGION: fake.region,
    AWS_ROLE_ARN: roleArnOf(fake, "sdk-node-chain"),
    AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
    AWS_ROLE_SESSION_NAME: "bench-sdk-node-chain",
    AWS_ENDPOINT_URL_STS: fake.sts.endpoint,
  };
}

export function roleArnOf(fake: FakeAws, key: SideKey): string {
  return `arn:aws:iam::${fake.accountId}:role/bench-${key}`;
}

/** Regional web identity against the fake STS, every setting explicit (no environment read). */
export function webIdentityFor(fake: FakeAws, tokenFile: string): ReturnType<typeof fromRegionalWebIdentity> {
  return fromRegionalWebIdentity({
    env: {},
    region: fake.region,
    endpoint: fake.sts.endpoint,
    roleArn: roleArnOf(fake, "awscreds-web-identity"),
    webIdentityTokenFile: tokenFile,
    roleSessionName: "bench-awscreds-web-identity",
  });
}

/** The env-gated chain in deployed mode, on web identity against the fake STS (env passed explicitly). */
export function deployedChainFor(fake: FakeAws, tokenFile: string): ReturnType<typeof fromEnvGatedChain> {
  return fromEnvGatedChain({
    env: {
      APP_ENV: "production",
      AWS_REGION: fake.region,
      AWS_ROLE_ARN: roleArnOf(fake, "awscreds-env-gated"),
      AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
      AWS_ROLE_SESSION_NAME: "bench-awscreds-env-gated",
    },
    webIdentity: { endpoint: fake.sts.endpoint },
  });
}

function clientFor(fake: FakeAws, credentials: AwsCredentialIdentityProvider): SQSClient {
  return new SQSClient({ region: fake.region, endpoint: fake.sqs.endpoint, credentials, maxAttempts: 1 });
}

/**
 * Builds the requested sides. The SDK chain side reads `process.env` (see {@link sdkChainEnv}); the
 * others get every setting explicitly.
 *
 * @example
 * ```ts
 * await withEnv(sdkChainEnv(fake, tokenFile), async () => {
 *   const sides = buildSides({ fake, tokenFile, refresh: { period: 2300 } });
 *   await Promise.all(sides.map((s) => s.warm()));
 * });
 * ```
 */
export function buildSides(options: SidesOptions): Side[] {
  const { fake, tokenFile } = options;
  const want = (key: SideKey): boolean => options.only === undefined || options.only.includes(key);
  const sides: Side[] = [];
  const sdkSide = (key: SideKey, label: string, provider: AwsCredentialIdentityProvider): Side => {
    const client = clientFor(fake, provider);
    const resolve = (): Promise<AwsCredentialIdentity> => client.config.credentials();
    return {
      key,
      label,
      side: "sdk",
      roleArn: roleArnOf(fake, key),
      client,
      resolve,
      warm: async () => {
        await resolve();
      },
      close: () => client.destroy(),
    };
  };
  const awscredsSide = (key: SideKey, label: string, source: AwsCredentialIdentityProvider): Side => {
    const refresher = createRefresher(source, { name: key, ...options.refresh });
    const client = clientFor(fake, refresher);
    return {
      key,
      label,
      side: "awscreds",
      roleArn: roleArnOf(fake, key),
      client,
      resolve: () => client.config.credentials(),
      warm: () => refresher.ready,
      close: () => {
        refresher.stop();
        client.destroy();
      },
    };
  };

  if (want("sdk-token-file")) {
    sides.push(
      sdkSide(
        "sdk-token-file",
        "SDK: fromTokenFile",
        fromTokenFile({
          roleArn: roleArnOf(fake, "sdk-token-file"),
          webIdentityTokenFile: tokenFile,
          roleSessionName: "bench-sdk-token-file",
          clientConfig: { endpoint: fake.sts.endpoint, region: fake.region },
        }),
      ),
    );
  }
  if (want("sdk-node-chain")) {
    // Environment-driven like a deployed service; the endpoint is also passed explicitly so that no
    // setting can ever send this bench to a real STS.
    sides.push(
      sdkSide("sdk-node-chain", "SDK: fromNodeProviderChain", fromNodeProviderChain({ clientConfig: { endpoint: fake.sts.endpoint, region: fake.region } })),
    );
  }
  if (want("awscreds-web-identity")) {
    sides.push(
      awscredsSide(
        "awscreds-web-identity",
        "awscreds: createRefresher(fromRegionalWebIdentity)",
        webIdentityFor(fake, tokenFile),
      ),
    );
  }
  if (want("awscreds-env-gated")) {
    sides.push(
      awscredsSide(
        "awscreds-env-gated",
        "awscreds: createRefresher(fromEnvGatedChain), deployed",
        deployedChainFor(fake, tokenFile),
      ),
    );
  }
  return sides;
}

/** STS calls the fake received from a side, optionally within a time window (epoch ms). */
export function stsCallsOf(fake: FakeAws, side: Side, from = 0, to = Number.POSITIVE_INFINITY): number {
  return fake.sts.calls.filter((c) => c.details.roleArn === side.roleArn && c.time >= from && c.time < to).length;
}
