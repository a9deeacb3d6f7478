/**
 * The regional STS transport that web identity and assume role share: the endpoint (custom, or
 * `sts.<region>.<partition DNS suffix>`), one keep-alive client per endpoint, short timeouts, and retries
 * of what AWS documents as retryable.
 *
 * Regional failover: with failover regions, each region's endpoint has a circuit breaker (`failover.ts`);
 * an attempt goes to the first region whose breaker lets it through, a retryable failure moves the next
 * attempt to the next region at once, and calls return to the primary once it answers again. Each
 * endpoint gets its own keep-alive client, built on first use. `sendOnce()` sends one command to one
 * endpoint and nothing else; `call()` is the loop around it: choose, prepare, send, classify, fail over
 * or back off.
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
import { markForSdk } from "../shared/sdk-marking.js";
import { lazyRequire } from "../shared/lazy-require.js";
import type { Logger } from "../shared/logger.js";
import { credentialsError } from "../shared/errors.js";
import { createStsClient, DEFAULT_STS_CONNECTION_TIMEOUT_MS, DEFAULT_STS_REQUEST_TIMEOUT_MS, type LoadedSts } from "./client.js";
import { regionalStsEndpoint } from "./endpoint.js";
import { loadSdkPartitions } from "./partitions.js";
import { backoffDelayMs, classifyStsFailure, DEFAULT_RETRY_POLICY, shouldRetry, type RetryPolicy, type StsFailureKind } from "./retry.js";
import { breakerPolicy } from "./breaker.js";
import { createFailover, type FailoverEvent, type StsFailoverStatus } from "./failover.js";
import type { ResolvedFailover } from "./failover-config.js";
import { failoverOutcome } from "./failover-kind.js";
import { crossPartitionProblem } from "./failover-regions.js";
import { stsTelemetry, withStsTelemetry, type TelemetryOption } from "../telemetry/index.js";

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
  /** Failover regions (see `resolveFailover`); none: every call goes to the primary, as without failover. */
  failover?: ResolvedFailover | undefined;
  /** Failovers, recoveries and breaker openings (telemetry counts failovers on its own). */
  onFailoverEvent?: ((event: FailoverEvent) => void) | undefined;
  /** The provider's `telemetry` option: a CLIENT span and `awscreds.sts.requests` per request, `awscreds.sts.failovers`. */
  telemetry?: TelemetryOption | undefined;
}

/** `server.address`: the endpoint's host only (bounded cardinality: no scheme, port or path). */
function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).hostname;
  } catch {
    return endpoint;
  }
}

/** What one attempt sends: the command input, and for a signed operation the credentials that sign it. */
export interface StsAttempt<O extends StsOperation> {
  input: StsOperations[O]["input"];
  credentials?: AwsCredentialIdentity;
}

export interface StsCallOptions {
  /**
   * Whether a failure of this kind may be retried here (default: all the retry policy allows). Moving on to
   * the next failover region after a retryable failure is not a retry: it happens whatever this says.
   */
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
  readonly useFipsEndpoint: boolean;
  /**
   * The endpoint calls go to now: the primary's (custom at once, regional once resolved on the first call),
   * or the failover endpoint that answered last.
   */
  endpoint(): string | undefined;
  /** The endpoint in use and each regional endpoint's circuit breaker. JSON-safe, no secrets. */
  status(): StsFailoverStatus;
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
  const regions = [options.region, ...(options.failover?.regions ?? [])];
  const custom = [options.customEndpoint, ...(options.failover?.customEndpoints ?? [])];
  const telemetry = stsTelemetry(options.telemetry);
  const onEvent =
    telemetry === undefined
      ? options.onFailoverEvent
      : (event: FailoverEvent): void => {
          if (event.type === "failover") telemetry.failover(hostOf(event.fromEndpoint ?? event.endpoint), hostOf(event.endpoint));
          options.onFailoverEvent?.(event);
        };
  const failover = createFailover({
    regions,
    policy: breakerPolicy(options.failover?.cooldownMs),
    logger,
    label: options.label,
    onEvent,
  });
  custom.forEach((url, i) => url !== undefined && failover.setEndpoint(i, url));
  let partitionChecked = !options.failover?.partitionCheckPending;
  /** One client per endpoint, built on first use. */
  const clients = new Map<string, Promise<LoadedSts>>();
  // The credentials of the attempt in flight, so one client signs concurrent calls with different credentials.
  let signing: AsyncHooks.AsyncLocalStorage<AwsCredentialIdentity> | undefined;

  /** The URL of region `index`: custom, or derived from the partition table on first use. */
  async function endpointOf(index: number): Promise<string> {
    const known = failover.endpoint(index);
    if (known !== undefined && partitionChecked) return known;
    const partitionOf = await loadSdkPartitions();
    if (!partitionChecked) {
      // Only when awscreds was bundled without a synchronously loadable partition table (see resolveFailover).
      const problem = crossPartitionProblem(options.region, regions.slice(1), partitionOf, options.failover?.from ?? "failoverRegions");
      if (problem !== undefined) throw credentialsError(`${options.label}: ${problem}.`, { tryNextLink: false, logger });
      partitionChecked = true;
    }
    if (known !== undefined) return known;
    const regional = regionalStsEndpoint(regions[index]!, { useFipsEndpoint: options.useFipsEndpoint, partitionOf });
    if (!regional.ok) throw credentialsError(`${options.label}: ${regional.problem}.`, { tryNextLink: false, logger });
    failover.setEndpoint(index, regional.endpoint);
    return regional.endpoint;
  }

  function buildClient(target: string, region: string): Promise<LoadedSts> {
    if (options.ignoredEndpointVar && region === options.region) {
      logger.warn(`awscreds: AWS_ENDPOINT_URL_STS is set but ignored by the ${options.label.toLowerCase()} provider; calling ${target}. Pass the endpoint option to use a custom endpoint.`);
    }
    signing ??= new (lazyRequire<typeof AsyncHooks>("node:async_hooks").AsyncLocalStorage)();
    const store = signing;
    return createStsClient({
      // The endpoint's own region: AssumeRole is signed for it.
      region,
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

  async function clientFor(target: string, region: string): Promise<LoadedSts> {
    let loaded = clients.get(target);
    if (!loaded) {
      loaded = buildClient(target, region);
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
  async function sendOnce<O extends StsOperation>(target: string, region: string, operation: O, attempt: StsAttempt<O>): Promise<StsOperations[O]["output"]> {
    const sts = await clientFor(target, region);
    const command =
      operation === "AssumeRole"
        ? new sts.AssumeRoleCommand(attempt.input as AssumeRoleCommandInput)
        : new sts.AssumeRoleWithWebIdentityCommand(attempt.input as AssumeRoleWithWebIdentityCommandInput);
    // One CLIENT span per request sent (a child of the refresh span this call runs under), counted per endpoint.
    const send = () => withStsTelemetry(telemetry, operation, hostOf(target), () => sts.client.send(command as never) as Promise<StsOperations[O]["output"]>);
    return attempt.credentials && signing ? signing.run(attempt.credentials, send) : send();
  }

  /**
   * `retry.maxAttempts` counts rounds: within a round, a retryable failure moves the next attempt to the
   * next region at once (no wait); a round ends when no region is left to try, and the next one starts
   * after the backoff.
   */
  async function call<O extends StsOperation>(
    operation: O,
    prepare: (attempt: number) => Promise<StsAttempt<O>>,
    callOptions?: StsCallOptions,
  ): Promise<StsOperations[O]["output"]> {
    let invalidTokenRetries = 0;
    /** Attempts that moved on to another region at once: they do not use up the retry budget. */
    let hops = 0;
    const tried = new Set<number>();
    /** Endpoints this call went to, for the error should it fail. */
    const everyTarget = new Set<string>();
    let routed = failover.choose(tried)!; // Defined: with nothing tried, some region is always chosen.
    for (let attempt = 1; ; attempt++) {
      let target: string;
      let prepared: StsAttempt<O>;
      try {
        target = await endpointOf(routed.index);
        everyTarget.add(target);
        prepared = await prepare(attempt);
      } catch (error) {
        failover.settle(routed, "unknown");
        throw error;
      }
      try {
        const output = await sendOnce(target, routed.region, operation, prepared);
        failover.settle(routed, "success");
        return output;
      } catch (error) {
        const kind = classifyStsFailure(error);
        const outcome = failoverOutcome(error);
        failover.settle(routed, outcome, error);
        const allowed = callOptions?.retryable?.(kind) ?? true;
        // Moving on to the next region is not a retry of this endpoint: it happens whatever `retryable` says.
        if (outcome === "endpoint-failed") {
          tried.add(routed.index);
          const next = failover.choose(tried);
          if (next !== undefined) {
            hops += 1;
            logger.warn(`awscreds: ${operation} attempt ${attempt} at ${target} failed (${kind}); trying ${failover.endpoint(next.index) ?? `STS in ${next.region}`} now`);
            routed = next;
            continue;
          }
        }
        if (!allowed || !shouldRetry(kind, attempt - hops, invalidTokenRetries, policy)) {
          const others = [...new Set([...everyTarget].filter((t) => t !== target))];
          throw new StsCallFailure(operation, others.length > 0 ? `${target} (also tried ${others.join(", ")})` : target, kind, attempt, error);
        }
        if (kind === "invalid-token") invalidTokenRetries += 1;
        const delay = backoffDelayMs(attempt - hops, kind, policy, Math.random());
        logger.warn(`awscreds: ${operation} attempt ${attempt} failed (${kind}); retrying in ${delay} ms`);
        await sleep(delay);
        tried.clear();
        routed = failover.choose(tried)!;
      }
    }
  }

  return {
    region: options.region,
    useFipsEndpoint: options.useFipsEndpoint,
    endpoint: () => failover.status().endpointInUse ?? failover.endpoint(0),
    status: () => failover.status(),
    call,
    destroy(): void {
      const current = [...clients.values()];
      clients.clear();
      for (const loaded of current) void loaded.then(({ client }) => client.destroy()).catch(() => undefined);
    },
  };
}
