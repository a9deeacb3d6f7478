/**
 * The regional STS transport that web identity and assume role share: the endpoint (custom, or
 * `sts.<region>.<partition DNS suffix>`), one keep-alive client per endpoint, short timeouts, and retries
 * of what AWS documents as retryable.
 *
 * The seam, for anything that wants to pick among endpoints (failover): `chooseEndpoint()` decides where
 * one attempt goes, `sendOnce()` sends one command to one endpoint and nothing else. `call()` is the loop
 * around them: prepare the input, choose, send, classify, back off.
 */
import type * as AsyncHooks from "node:async_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type {
  AssumeRoleCommandInput,
  AssumeRoleCommandOutput,
  AssumeRoleWithWebIdentityCommandInput,
  AssumeRoleWithWebIdentityCommandOutput,
  STSClientConfig,
} from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@smithy/types";
import { markForSdk } from "../refresh/sdk-marking.js";
import { lazyRequire } from "../shared/lazy-require.js";
import type { Logger } from "../shared/logger.js";
import { credentialsError } from "../sources/errors.js";
import { createStsClient, DEFAULT_STS_CONNECTION_TIMEOUT_MS, DEFAULT_STS_REQUEST_TIMEOUT_MS, type LoadedSts } from "./client.js";
import { regionalStsEndpoint } from "./endpoint.js";
import { loadSdkPartitions } from "./partitions.js";
import { backoffDelayMs, classifyStsFailure, DEFAULT_RETRY_POLICY, shouldRetry, type RetryPolicy, type StsFailureKind } from "./retry.js";

/** The STS operations the transport sends, with their SDK input and output shapes. */
export interface StsOperations {
  AssumeRoleWithWebIdentity: { input: AssumeRoleWithWebIdentityCommandInput; output: AssumeRoleWithWebIdentityCommandOutput };
  AssumeRole: { input: AssumeRoleCommandInput; output: AssumeRoleCommandOutput };
}
export type StsOperation = keyof StsOperations;

export interface StsTransportOptions {
  region: string;
  useFipsEndpoint: boolean;
  /** A validated custom endpoint (see `checkCustomEndpoint`); otherwise the regional one. */
  customEndpoint: string | undefined;
  connectionTimeoutMs?: number | undefined;
  requestTimeoutMs?: number | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  clientConfig?: Partial<STSClientConfig> | undefined;
  logger: Logger;
  /** Who uses the transport, as errors and logs name it: `Web identity`, `Assume role`. */
  label: string;
  /** `AWS_ENDPOINT_URL_STS` is set but deliberately not used: say so once, when the client is built. */
  ignoredEndpointVar?: boolean | undefined;
}

/** What one attempt sends: the command input, and for a signed operation the credentials that sign it. */
export interface StsAttempt<O extends StsOperation> {
  input: StsOperations[O]["input"];
  credentials?: AwsCredentialIdentity;
}

export interface StsCallOptions {
  /** Whether a failure of this kind may be retried here (default: all the retry policy allows). */
  retryable?: (kind: StsFailureKind) => boolean;
}

/**
 * A call that failed for good. Internal: its `error` is the SDK's raw error (it may carry the response),
 * so callers turn it into a redacted `CredentialsProviderError` before it leaves the library.
 */
export class StsCallFailure extends Error {
  declare readonly error: unknown;
  constructor(
    readonly operation: StsOperation,
    readonly endpoint: string,
    readonly kind: StsFailureKind,
    readonly attempts: number,
    error: unknown,
  ) {
    super(`${operation} at ${endpoint} failed (${kind}) after ${attempts} attempt(s)`);
    this.name = "StsCallFailure";
    Object.defineProperty(this, "error", { value: error, enumerable: false });
  }
}

export interface StsTransport {
  readonly region: string;
  /** The endpoint calls go to: the custom one at once, the regional one once resolved (first call). */
  endpoint(): string | undefined;
  /**
   * Runs `operation` with retries. `prepare(attempt)` builds each attempt's input (a web identity token is
   * re-read per attempt; assume role resolves its signing credentials). Throws `StsCallFailure` when STS
   * keeps failing; whatever `prepare` throws propagates as it is.
   */
  call<O extends StsOperation>(operation: O, prepare: (attempt: number) => Promise<StsAttempt<O>>, options?: StsCallOptions): Promise<StsOperations[O]["output"]>;
  /** Closes every client's sockets; a later call builds new clients. */
  destroy(): void;
}

/**
 * Builds a transport. Nothing is loaded or resolved until the first call.
 *
 * @example
 * ```ts
 * const sts = createStsTransport({ region: "eu-west-1", useFipsEndpoint: false, customEndpoint: undefined, logger: console, label: "Assume role" });
 * const out = await sts.call("AssumeRole", async () => ({ input: { RoleArn, RoleSessionName }, credentials: await source() }));
 * ```
 */
export function createStsTransport(options: StsTransportOptions): StsTransport {
  const { logger } = options;
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  let endpoint = options.customEndpoint;
  /** One client per endpoint (today one endpoint; failover adds more). */
  const clients = new Map<string, Promise<LoadedSts>>();
  // The credentials of the attempt in flight, so one client signs concurrent calls with different credentials.
  let signing: AsyncHooks.AsyncLocalStorage<AwsCredentialIdentity> | undefined;

  /** Where the next attempt goes. */
  async function chooseEndpoint(): Promise<string> {
    if (endpoint === undefined) {
      const regional = regionalStsEndpoint(options.region, { useFipsEndpoint: options.useFipsEndpoint, partitionOf: await loadSdkPartitions() });
      if (!regional.ok) throw credentialsError(`${options.label}: ${regional.problem}.`, { tryNextLink: false, logger });
      endpoint = regional.endpoint;
    }
    return endpoint;
  }

  function buildClient(target: string): Promise<LoadedSts> {
    if (options.ignoredEndpointVar) {
      logger.warn(`awscreds: AWS_ENDPOINT_URL_STS is set but ignored by the ${options.label.toLowerCase()} provider; calling ${target}. Pass the endpoint option to use a custom endpoint.`);
    }
    signing ??= new (lazyRequire<typeof AsyncHooks>("node:async_hooks").AsyncLocalStorage)();
    const store = signing;
    return createStsClient({
      region: options.region,
      endpoint: target,
      connectionTimeoutMs: options.connectionTimeoutMs ?? DEFAULT_STS_CONNECTION_TIMEOUT_MS,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_STS_REQUEST_TIMEOUT_MS,
      logger,
      clientConfig: options.clientConfig,
      // Marked, so the SDK asks per request instead of memoizing the first caller's credentials.
      credentials: markForSdk(async () => {
        const credentials = store.getStore();
        if (!credentials) throw new Error(`awscreds: this STS call has no signing credentials`);
        return credentials;
      }),
    });
  }

  async function clientFor(target: string): Promise<LoadedSts> {
    let loaded = clients.get(target);
    if (!loaded) {
      loaded = buildClient(target);
      clients.set(target, loaded);
    }
    try {
      return await loaded;
    } catch (error) {
      if (clients.get(target) === loaded) clients.delete(target); // A failed build is not cached.
      throw error;
    }
  }

  /** Sends one command to one endpoint: no retries, no endpoint choice. */
  async function sendOnce<O extends StsOperation>(target: string, operation: O, attempt: StsAttempt<O>): Promise<StsOperations[O]["output"]> {
    const sts = await clientFor(target);
    const command =
      operation === "AssumeRole"
        ? new sts.AssumeRoleCommand(attempt.input as AssumeRoleCommandInput)
        : new sts.AssumeRoleWithWebIdentityCommand(attempt.input as AssumeRoleWithWebIdentityCommandInput);
    const send = () => sts.client.send(command as never) as Promise<StsOperations[O]["output"]>;
    return attempt.credentials && signing ? signing.run(attempt.credentials, send) : send();
  }

  async function call<O extends StsOperation>(
    operation: O,
    prepare: (attempt: number) => Promise<StsAttempt<O>>,
    callOptions?: StsCallOptions,
  ): Promise<StsOperations[O]["output"]> {
    let invalidTokenRetries = 0;
    for (let attempt = 1; ; attempt++) {
      const target = await chooseEndpoint();
      const prepared = await prepare(attempt);
      try {
        return await sendOnce(target, operation, prepared);
      } catch (error) {
        const kind = classifyStsFailure(error);
        const allowed = callOptions?.retryable?.(kind) ?? true;
        if (!allowed || !shouldRetry(kind, attempt, invalidTokenRetries, policy)) {
          throw new StsCallFailure(operation, target, kind, attempt, error);
        }
        if (kind === "invalid-token") invalidTokenRetries += 1;
        const delay = backoffDelayMs(attempt, kind, policy, Math.random());
        logger.warn(`awscreds: ${operation} attempt ${attempt} failed (${kind}); retrying in ${delay} ms`);
        await sleep(delay);
      }
    }
  }

  return {
    region: options.region,
    endpoint: () => endpoint,
    call,
    destroy(): void {
      const current = [...clients.values()];
      clients.clear();
      for (const loaded of current) void loaded.then(({ client }) => client.destroy()).catch(() => undefined);
    },
  };
}
