/**
 * One STS client for one endpoint. Built on first use (importing awscreds never loads the STS client),
 * then reused so its keep-alive sockets are too.
 */
import type * as Http from "node:http";
import type * as Https from "node:https";
import type * as Sts from "@aws-sdk/client-sts";
import type { STSClient, STSClientConfig } from "@aws-sdk/client-sts";
import type * as NodeHttp from "@smithy/node-http-handler";
import type { AwsCredentialIdentityProvider, NodeHttpHandlerOptions } from "@smithy/types";
import { lazyRequire, requireOrImport } from "../shared/lazy-require.js";
import type { Logger } from "../shared/logger.js";

/** Short, because a credential fetch that hangs should fail fast and be retried, not wait minutes. */
export const DEFAULT_STS_CONNECTION_TIMEOUT_MS = 1_000;
/** Covers STS fetching the identity provider's keys on a cold path; far below the SDK's "no limit". */
export const DEFAULT_STS_REQUEST_TIMEOUT_MS = 5_000;

export interface StsClientInit {
  region: string;
  endpoint: string;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  logger: Logger;
  /** Extra client configuration (e.g. `requestHandler` with a custom agent in tests). */
  clientConfig?: Partial<STSClientConfig>;
  /**
   * Signs calls that need it (AssumeRole). Unsigned operations (AssumeRoleWithWebIdentity) never call it;
   * without it, a signed call fails rather than fall back to the SDK's default chain.
   */
  credentials?: AwsCredentialIdentityProvider;
}

export interface LoadedSts {
  client: STSClient;
  AssumeRoleWithWebIdentityCommand: typeof Sts.AssumeRoleWithWebIdentityCommand;
  AssumeRoleCommand: typeof Sts.AssumeRoleCommand;
}

const isHandler = (value: unknown): boolean =>
  typeof value === "object" && value !== null && typeof (value as { handle?: unknown }).handle === "function";

/**
 * Builds the STS client. Every setting the SDK would otherwise look up in the environment or the shared
 * config file is given explicitly, so building it reads no file under `~/.aws`; the endpoint is explicit,
 * so neither `AWS_STS_REGIONAL_ENDPOINTS` nor `AWS_ENDPOINT_URL_STS` can move it. Retries are ours
 * (`maxAttempts: 1`), because the SDK's do not cover IDPCommunicationError and InvalidIdentityToken.
 *
 * The packages are loaded here, with `require` (see `requireOrImport`: `import()` of these CommonJS
 * packages cost the first fetch 30–40 ms more), so importing awscreds loads none of them.
 */
export async function createStsClient(init: StsClientInit): Promise<LoadedSts> {
  const [{ STSClient, AssumeRoleWithWebIdentityCommand, AssumeRoleCommand }, { NodeHttpHandler }] = await Promise.all([
    requireOrImport<typeof Sts>("@aws-sdk/client-sts", () => import("@aws-sdk/client-sts")),
    requireOrImport<typeof NodeHttp>("@smithy/node-http-handler", () => import("@smithy/node-http-handler")),
  ]);
  // Even node:http and node:https (with tls) cost a local-mode import ~4 ms: loaded here too.
  const { Agent: HttpAgent } = lazyRequire<typeof Http>("node:http");
  const { Agent: HttpsAgent } = lazyRequire<typeof Https>("node:https");
  const given = init.clientConfig?.requestHandler;
  const requestHandler = isHandler(given)
    ? given
    : new NodeHttpHandler({
        connectionTimeout: init.connectionTimeoutMs,
        requestTimeout: init.requestTimeoutMs,
        throwOnRequestTimeout: true,
        httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 8 }),
        httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 8 }),
        logger: init.logger,
        ...(given as NodeHttpHandlerOptions | undefined),
      });
  const client = new STSClient({
    defaultsMode: "standard",
    retryMode: "standard",
    useDualstackEndpoint: false,
    userAgentAppId: "awscreds",
    authSchemePreference: [],
    sigv4aSigningRegionSet: [],
    // Given, because for a signed call (AssumeRole) the signer otherwise looks it up in ~/.aws/config.
    disableClockSkewCorrection: false,
    ...init.clientConfig,
    // Not overridable: these are what the provider promises.
    region: init.region,
    endpoint: init.endpoint,
    useFipsEndpoint: false,
    useGlobalEndpoint: false,
    ignoreConfiguredEndpointUrls: true,
    maxAttempts: 1,
    requestHandler,
    // Given explicitly either way, so the SDK's default chain is never consulted.
    credentials:
      init.credentials ??
      (async () => {
        throw new Error("awscreds: this STS client does not sign requests");
      }),
  });
  return { client, AssumeRoleWithWebIdentityCommand, AssumeRoleCommand };
}
