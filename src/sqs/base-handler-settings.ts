/**
 * Reads what a base client's request handler is configured with, and says which of those settings the
 * long-polling client can carry over, which it deliberately drops, and which would still hurt.
 * Reading is async because `NodeHttpHandler` resolves its options lazily; judging is pure.
 */
import { Agent as HttpsAgent } from "node:https";
import { Agent as HttpAgent } from "node:http";
import { isRecord } from "../shared/is-record.js";

/** TLS and socket options worth copying from a base agent (a private CA is the common case). */
const CARRIED_AGENT_OPTIONS = [
  "ca",
  "cert",
  "key",
  "pfx",
  "passphrase",
  "rejectUnauthorized",
  "checkServerIdentity",
  "servername",
  "minVersion",
  "maxVersion",
  "ciphers",
  "ecdhCurve",
  "secureOptions",
  "family",
  "localAddress",
  "lookup",
] as const;

export interface AgentSnapshot {
  /** Constructor name, e.g. `Agent`, `HttpsProxyAgent`. */
  kind: string;
  /** A plain `http(s).Agent`, whose options can be copied; anything else (a proxy agent) cannot. */
  plain: boolean;
  /** Copyable TLS/socket options found on the agent. */
  carried: Record<string, unknown>;
  /** Node's agent-level socket timeout, ms, if any. */
  timeout?: number;
  maxSockets?: number;
}

export interface BaseHandlerSettings {
  /** Constructor name of the handler (`NodeHttpHandler`, `NodeHttp2Handler`, `FetchHttpHandler`, …) or `none`. */
  handler: string;
  /** A `NodeHttpHandler` (or subclass) whose options we could read. */
  readable: boolean;
  requestTimeout?: number;
  throwOnRequestTimeout?: boolean;
  socketTimeout?: number;
  connectionTimeout?: number;
  httpsAgent?: AgentSnapshot;
  httpAgent?: AgentSnapshot;
}

export interface Diagnostic {
  level: "warn" | "debug";
  code: string;
  message: string;
}

function finiteNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function snapshotAgent(agent: unknown, plainClass: typeof HttpsAgent | typeof HttpAgent): AgentSnapshot | undefined {
  if (!isRecord(agent)) return undefined;
  const isInstance = typeof agent.destroy === "function";
  // An options object (not an Agent) is what a client config usually carries: all of it is copyable.
  const options = isInstance ? (isRecord(agent.options) ? agent.options : {}) : agent;
  const carried: Record<string, unknown> = {};
  for (const key of CARRIED_AGENT_OPTIONS) if (options[key] !== undefined) carried[key] = options[key];
  const ctor = isInstance ? (agent.constructor as { name?: string } | undefined) : undefined;
  return {
    kind: isInstance ? (ctor?.name ?? "unknown") : "options",
    plain: !isInstance || agent.constructor === plainClass,
    carried,
    timeout: finiteNumber(options.timeout),
    maxSockets: finiteNumber(isInstance ? agent.maxSockets : options.maxSockets),
  };
}

function fromOptions(handler: string, options: Record<string, unknown>): BaseHandlerSettings {
  return {
    handler,
    readable: true,
    requestTimeout: finiteNumber(options.requestTimeout),
    throwOnRequestTimeout: typeof options.throwOnRequestTimeout === "boolean" ? options.throwOnRequestTimeout : undefined,
    socketTimeout: finiteNumber(options.socketTimeout),
    connectionTimeout: finiteNumber(options.connectionTimeout),
    httpsAgent: snapshotAgent(options.httpsAgent, HttpsAgent),
    httpAgent: snapshotAgent(options.httpAgent, HttpAgent),
  };
}

/**
 * Reads a client's `requestHandler` (an instance, or the options object of a client config).
 * Never throws: what cannot be read is reported as `readable: false`.
 */
export async function readBaseHandlerSettings(requestHandler: unknown): Promise<BaseHandlerSettings> {
  if (requestHandler === undefined || requestHandler === null) return { handler: "none", readable: true };
  if (!isRecord(requestHandler) && typeof requestHandler !== "function") return { handler: "unknown", readable: false };
  const record = requestHandler as Record<string, unknown>;
  if (typeof record.handle !== "function") {
    // The options object of an SQSClientConfig, passed to NodeHttpHandler by the SDK.
    return typeof requestHandler === "function" ? { handler: "provider", readable: false } : fromOptions("options", record);
  }
  const name = (record.constructor as { name?: string } | undefined)?.name ?? "unknown";
  if (typeof record.httpHandlerConfigs !== "function") return { handler: name, readable: false };
  try {
    let config: unknown = (record.httpHandlerConfigs as () => unknown).call(requestHandler);
    if (!isRecord(config) || Object.keys(config).length === 0) {
      // NodeHttpHandler resolves its options on first use; before that they sit behind `configProvider`
      // (a private field, read defensively: absent in other handlers and maybe in later versions).
      const pending = record.configProvider;
      if (isRecord(pending) && typeof pending.then === "function") config = await (pending as unknown as Promise<unknown>);
    }
    if (!isRecord(config)) return { handler: name, readable: false };
    const settings = fromOptions(name, config);
    const looksNodeHttp = "httpsAgent" in config || "httpAgentProvider" in config || "requestTimeout" in config;
    return { ...settings, readable: looksNodeHttp || name === "NodeHttpHandler" };
  } catch {
    return { handler: name, readable: false };
  }
}

/**
 * What the long-polling client makes of the base handler's settings, given the longest receive bound.
 *
 * @example
 * ```ts
 * diagnoseBaseHandler({ handler: "NodeHttpHandler", readable: true, requestTimeout: 2000 }, 25_000);
 * // [{ level: "debug", code: "base-timeout-short", ... }]
 * ```
 */
export function diagnoseBaseHandler(settings: BaseHandlerSettings, maxReceiveMs: number): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (!settings.readable) {
    out.push({
      level: "warn",
      code: "base-handler-unreadable",
      message:
        `awscreds/sqs: the base client's requestHandler (${settings.handler}) is not a NodeHttpHandler whose settings can be read; ` +
        "the long-polling client uses its own NodeHttpHandler and does not inherit that handler's proxy, TLS or " +
        "instrumentation. If ReceiveMessage must go through them, pass `httpsAgent` to createLongPollingClient.",
    });
    return out;
  }
  for (const [label, agent] of [
    ["httpsAgent", settings.httpsAgent],
    ["httpAgent", settings.httpAgent],
  ] as const) {
    if (agent && !agent.plain) {
      out.push({
        level: "warn",
        code: "base-agent-custom",
        message:
          `awscreds/sqs: the base client's ${label} is a ${agent.kind}, which cannot be cloned; the long-polling client ` +
          `opens its own connections and would bypass it (a proxy, for example). Pass an equivalent agent as ` +
          "`httpsAgent` to createLongPollingClient, with maxSockets ≥ pollers and no socket timeout below the long-poll bound.",
      });
    }
  }
  const short = [
    settings.requestTimeout !== undefined && settings.requestTimeout > 0 && settings.requestTimeout < maxReceiveMs
      ? `requestTimeout ${settings.requestTimeout} ms`
      : undefined,
    settings.socketTimeout !== undefined && settings.socketTimeout > 0 && settings.socketTimeout < maxReceiveMs
      ? `socketTimeout ${settings.socketTimeout} ms`
      : undefined,
  ].filter((s): s is string => s !== undefined);
  if (short.length > 0) {
    out.push({
      level: "debug",
      code: "base-timeout-short",
      message:
        `awscreds/sqs: the base client's ${short.join(" and ")} would cut long polls short; the long-polling client ` +
        `does not inherit it and bounds ReceiveMessage at WaitTimeSeconds + grace (at most ${maxReceiveMs} ms). ` +
        "Send ReceiveMessage through the long-polling client only.",
    });
  }
  return out;
}
