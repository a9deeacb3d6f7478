/**
 * `createLongPollingClient`: a twin of an SQS client for `ReceiveMessage` long polls, with its own
 * handler and socket pool, sharing everything else (credentials, region, endpoint, retries, logger).
 */
import { SQSClient, type SQSClientConfig, type ServiceInputTypes, type ServiceOutputTypes } from "@aws-sdk/client-sqs";
import type { AgentOptions as HttpAgentOptions } from "node:http";
import type { AgentOptions as HttpsAgentOptions, Agent as HttpsAgent } from "node:https";
import type { Agent as HttpAgent } from "node:http";
import type { AwsCredentialIdentityProvider, DeserializeMiddleware, NodeHttpHandlerOptions } from "@smithy/types";
import { markForSdk } from "../shared/sdk-marking.js";
import { installRejectionRecovery } from "../refresh/rejection-middleware.js";
import { forwardRejections } from "../refresh/rejection-target.js";
import { isRecord } from "../shared/is-record.js";
import { silentLogger, type Logger } from "../shared/logger.js";
import { diagnoseBaseHandler, readBaseHandlerSettings, type Diagnostic } from "./base-handler-settings.js";
import { LongPollingHttpHandler, type ResolvedHandlerSetup } from "./long-polling-handler.js";
import { DEFAULT_GRACE_SECONDS, MIN_GRACE_SECONDS, maxReceiveTimeoutMs, receiveTimeoutMs } from "./long-poll-timeout.js";

export interface LongPollingClientOptions {
  /**
   * Seconds added to `WaitTimeSeconds` to bound a `ReceiveMessage` (at least 1). Default 5.
   * Requests without `WaitTimeSeconds` are bounded at 20 s (the SQS maximum) + grace.
   */
  graceSeconds?: number;
  /** How many long polls you expect to run at once; sizes the socket pool. Default 1. */
  pollers?: number;
  /**
   * Sockets in this client's own keep-alive pool. Default `pollers + 8`, so the calls a consumer such
   * as sqs-consumer also sends through this client (deletes, visibility changes) don't queue behind polls.
   * Must be ≥ `pollers`.
   */
  maxSockets?: number;
  /**
   * Timeout, ms, for calls other than `ReceiveMessage` sent through this client. Default: the base
   * handler's `requestTimeout` when it throws on timeout, otherwise the long-poll bound for a 20 s wait.
   */
  requestTimeout?: number;
  /** Connection timeout, ms. Default: the base handler's, otherwise 5000 (a dead host is noticed in seconds, not at the long-poll bound). */
  connectionTimeout?: number;
  /**
   * Options (or an agent) for HTTPS connections. Options are merged over `{ keepAlive: true, maxSockets }`
   * and the base agent's TLS options (e.g. a private `ca`). An agent is used as-is: it must allow
   * `pollers` sockets and must not time sockets out before the long-poll bound.
   */
  httpsAgent?: HttpsAgentOptions | HttpsAgent;
  /** Same as `httpsAgent`, for `http://` endpoints (LocalStack, the awscreds fakes). */
  httpAgent?: HttpAgentOptions | HttpAgent;
  /**
   * Where to explain base settings that the long-polling client cannot honour. Default: the base
   * client's logger, or `process.emitWarning` for warnings when the base has none.
   */
  logger?: Logger;
  /** Extra client config for the derived client, applied last (anything but `requestHandler`). */
  config?: Omit<SQSClientConfig, "requestHandler">;
}

/** What {@link createLongPollingClient} settled on; see {@link longPollingInfo}. */
export interface LongPollingInfo {
  readonly graceSeconds: number;
  readonly pollers: number;
  readonly maxSockets: number;
  /** The bound of a `ReceiveMessage` without `WaitTimeSeconds`, ms. */
  readonly maxReceiveTimeoutMs: number;
}

const INFO = Symbol.for("awscreds.sqs.longPolling");
const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;

type AnyAgent = HttpsAgent | HttpAgent;

function isAgent(value: unknown): value is AnyAgent {
  return isRecord(value) && typeof value.destroy === "function";
}

/** Duck-typed so that two copies of `@aws-sdk/client-sqs` in one tree still work together. */
function isClient(base: SQSClient | SQSClientConfig): base is SQSClient {
  const record = base as unknown as Record<string, unknown>;
  return typeof record.send === "function" && isRecord(record.config) && isRecord(record.middlewareStack);
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`createLongPollingClient: ${name} must be a positive integer, got ${value}`);
  return value;
}

function positiveMs(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`createLongPollingClient: ${name} must be a positive number of ms (never 0: an unbounded call can hang forever), got ${value}`);
  }
  return value;
}

function checkAgent(name: string, agent: unknown, pollers: number, boundMs: number): void {
  if (!isAgent(agent)) return;
  const record = agent as unknown as { maxSockets?: unknown; options?: { timeout?: unknown } };
  const maxSockets = typeof record.maxSockets === "number" ? record.maxSockets : Infinity;
  if (maxSockets < pollers) {
    throw new RangeError(
      `createLongPollingClient: ${name}.maxSockets is ${maxSockets} but ${pollers} pollers are expected; ` +
        "each long poll holds a socket for up to WaitTimeSeconds, so the others would queue behind it.",
    );
  }
  const timeout = record.options?.timeout;
  if (typeof timeout === "number" && timeout > 0 && timeout < boundMs) {
    throw new RangeError(
      `createLongPollingClient: ${name} times sockets out after ${timeout} ms of inactivity, which ends a quiet long poll ` +
        `(up to ${boundMs} ms) early. Create the agent without \`timeout\`, or with one ≥ ${boundMs}.`,
    );
  }
}

/** Warnings reach someone even when the base client has no logger; debug notes stay quiet then. */
function diagnosticSink(explicit: Logger | undefined, baseLogger: unknown): (d: Diagnostic) => void {
  const usable =
    explicit ??
    (isRecord(baseLogger) && typeof baseLogger.warn === "function" && (baseLogger.constructor as { name?: string })?.name !== "NoOpLogger"
      ? (baseLogger as unknown as Logger)
      : undefined);
  return (d) => {
    try {
      if (usable) {
        usable[d.level](d.message);
      } else if (d.level === "warn") {
        process.emitWarning(d.message, { code: `AWSCREDS_SQS_${d.code.toUpperCase().replace(/-/g, "_")}` });
      }
    } catch {
      // A throwing logger must not fail the request that triggered the diagnosis.
    }
  };
}

/**
 * Reads the live `credentials` of the base client on every call, so a provider re-pointed on the base
 * (e.g. by a swapper's `attach`) is used here too; marked so the SDK adds no second cache around it.
 */
function sharedCredentials(base: SQSClient): AwsCredentialIdentityProvider {
  const provider: AwsCredentialIdentityProvider = (props) => base.config.credentials(props);
  // A rejection seen on this client invalidates (and a measured clock offset reaches) the base's provider.
  return forwardRejections(markForSdk(provider), () => base.config.credentials);
}

/**
 * Resolved settings of a base client that the long-polling client does not take over as they are; every
 * other one (region, retries, logger, clock skew correction, user agent, checksums, extensions, …) is
 * carried over, whatever the SDK version adds. Exported for the test that pins this list.
 */
export const NOT_CARRIED_SETTINGS: readonly string[] = Object.freeze([
  // The HTTP handler is the long-polling client's own: that is the point of it.
  "requestHandler",
  "defaultSocketTimeout",
  // Shared live, through a provider that reads the base's on every call (see sharedCredentials).
  "credentials",
  // Bound to the base's credentials; rebuilt over the shared ones.
  "signer",
  // Re-derived from the same inputs; a custom endpoint is passed on as `endpoint`.
  "endpoint",
  "isCustomEndpoint",
  "serviceConfiguredEndpoint",
  // An instance wired to the base client's serializer context; rebuilt with the same settings.
  "protocol",
]);

/** Settings of a constructed client, as config of a new one (resolved values and providers pass through). */
function configFromClient(base: SQSClient): SQSClientConfig {
  const resolved = base.config as unknown as Record<string, unknown>;
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resolved)) {
    if (!NOT_CARRIED_SETTINGS.includes(key) && value !== undefined) config[key] = value;
  }
  config.credentials = sharedCredentials(base);
  // Resolved, `retryStrategy` is a function returning (a promise of) the strategy, and the SDK takes a strategy
  // or a promise of one, not such a function: hand it the promise, so a custom strategy carries over too.
  const retryStrategy = resolved.retryStrategy;
  if (typeof retryStrategy === "function") config.retryStrategy = (retryStrategy as () => unknown)();
  if (base.config.isCustomEndpoint && base.config.endpoint) config.endpoint = base.config.endpoint;
  return config as SQSClientConfig;
}

/**
 * Derives, from an SQS client or its config, a client for `ReceiveMessage` long polls: its own
 * `NodeHttpHandler` bounds each `ReceiveMessage` at `WaitTimeSeconds` + grace (never below the wait,
 * never unbounded) and has its own keep-alive socket pool sized for the pollers; every other setting of
 * the base (credentials, region, endpoint, retries, logger, clock skew correction, user agent, …) is
 * carried over (credentials are shared live; the signer, endpoint resolution and protocol are rebuilt
 * from the same settings). The base client is not modified: its short
 * timeouts keep applying to everything it sends.
 *
 * Throws a `RangeError` for options that would break long polls; logs a warning (or emits a process
 * warning) for base settings it cannot carry over, such as a proxy agent.
 *
 * Prefer passing the client: the derived client then calls the base's credentials provider (and sees it
 * re-pointed, e.g. by a swapper's `attach`). From a config, it is a second client with its own cache.
 *
 * @example
 * ```ts
 * import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
 * import { createLongPollingClient } from "awscreds/sqs";
 *
 * const sqs = new SQSClient({ requestHandler: { requestTimeout: 2_000, throwOnRequestTimeout: true } });
 * const poller = createLongPollingClient(sqs, { pollers: 2 });
 * const { Messages } = await poller.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
 * ```
 */
export function createLongPollingClient(base: SQSClient | SQSClientConfig, options: LongPollingClientOptions = {}): SQSClient {
  const graceSeconds = options.graceSeconds ?? DEFAULT_GRACE_SECONDS;
  if (!Number.isFinite(graceSeconds) || graceSeconds < MIN_GRACE_SECONDS) {
    throw new RangeError(
      `createLongPollingClient: graceSeconds must be ≥ ${MIN_GRACE_SECONDS}, got ${graceSeconds}; SQS answers an empty ` +
        "long poll at exactly WaitTimeSeconds, so a smaller grace races the reply.",
    );
  }
  const pollers = positiveInteger("pollers", options.pollers ?? 1);
  const maxSockets = positiveInteger("maxSockets", options.maxSockets ?? pollers + 8);
  if (maxSockets < pollers) {
    throw new RangeError(`createLongPollingClient: maxSockets (${maxSockets}) must be ≥ pollers (${pollers}); polls would queue for sockets.`);
  }
  const requestTimeout = positiveMs("requestTimeout", options.requestTimeout);
  const connectionTimeout = positiveMs("connectionTimeout", options.connectionTimeout);
  const boundMs = maxReceiveTimeoutMs(graceSeconds);
  checkAgent("httpsAgent", options.httpsAgent, pollers, boundMs);
  checkAgent("httpAgent", options.httpAgent, pollers, boundMs);
  if (options.config && "requestHandler" in options.config) {
    throw new TypeError("createLongPollingClient: config.requestHandler cannot be set; the long-polling client's handler is what bounds long polls.");
  }

  const baseConfig: SQSClientConfig = isClient(base) ? configFromClient(base) : { ...base };
  const baseHandler: unknown = isClient(base) ? base.config.requestHandler : base.requestHandler;
  delete baseConfig.requestHandler;
  const logger: Logger = options.logger ?? (isRecord(baseConfig.logger) ? (baseConfig.logger as Logger) : silentLogger);
  const report = diagnosticSink(options.logger, baseConfig.logger);

  const setup = async (): Promise<ResolvedHandlerSetup> => {
    const settings = await readBaseHandlerSettings(baseHandler);
    for (const diagnostic of diagnoseBaseHandler(settings, boundMs)) report(diagnostic);
    const inheritedTimeout =
      settings.throwOnRequestTimeout === true && settings.requestTimeout !== undefined && settings.requestTimeout > 0
        ? settings.requestTimeout
        : undefined;
    const agentOptions = (carried: Record<string, unknown> | undefined, own: unknown): Record<string, unknown> | AnyAgent =>
      isAgent(own) ? own : { keepAlive: true, maxSockets, ...(carried ?? {}), ...(isRecord(own) ? own : {}) };
    const handlerOptions: NodeHttpHandlerOptions = {
      connectionTimeout: connectionTimeout ?? settings.connectionTimeout ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      // The per-request timeout set in handle() is what bounds calls; this default only covers a
      // request that somehow reached the handler without one.
      requestTimeout: boundMs,
      throwOnRequestTimeout: true,
      // Idle sockets during a quiet long poll are normal; anything shorter than the bound would kill it.
      socketTimeout: boundMs,
      socketAcquisitionWarningTimeout: boundMs,
      httpsAgent: agentOptions(settings.httpsAgent?.plain ? settings.httpsAgent.carried : undefined, options.httpsAgent) as HttpsAgentOptions,
      httpAgent: agentOptions(settings.httpAgent?.plain ? settings.httpAgent.carried : undefined, options.httpAgent) as HttpAgentOptions,
    };
    return { options: handlerOptions, otherRequestTimeoutMs: requestTimeout ?? inheritedTimeout ?? boundMs };
  };

  const handler = new LongPollingHttpHandler(setup, logger);
  const client = new SQSClient({ ...baseConfig, ...options.config, requestHandler: handler });

  const bindReceiveTimeout: DeserializeMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next, context) => async (args) => {
    if (context.commandName === "ReceiveMessageCommand") {
      const input = args.input as { WaitTimeSeconds?: number };
      handler.boundReceive(args.request as object, receiveTimeoutMs(input.WaitTimeSeconds, graceSeconds));
    }
    return next(args);
  };
  // The innermost step, after signing and retries: `args.request` here is the object handle() receives.
  client.middlewareStack.add(bindReceiveTimeout, {
    step: "deserialize",
    priority: "low",
    name: "awscredsLongPollTimeoutMiddleware",
    override: true,
  });

  // A request AWS rejects for its credentials is retried once with new ones (awscreds providers only).
  installRejectionRecovery(client);

  const info: LongPollingInfo = Object.freeze({ graceSeconds, pollers, maxSockets, maxReceiveTimeoutMs: boundMs });
  Object.defineProperty(client, INFO, { value: info, enumerable: false });
  return client;
}

/**
 * The settings of a client made by {@link createLongPollingClient}, or `undefined` for any other client.
 *
 * @example
 * ```ts
 * if (!longPollingInfo(client)) logger.warn("polling with an ordinary client: its timeouts may cut long polls short");
 * ```
 */
export function longPollingInfo(client: SQSClient): LongPollingInfo | undefined {
  const value = (client as unknown as Record<PropertyKey, unknown>)[INFO];
  return isRecord(value) ? (value as unknown as LongPollingInfo) : undefined;
}
