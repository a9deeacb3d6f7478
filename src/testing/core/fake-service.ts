import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { CallLog, type CallRecord } from "./call-log.js";
import { FaultController, type FaultControls, type FaultError } from "./faults.js";
import type { TLSSocket } from "node:tls";
import type { FrontDoor } from "./front-door.js";
import { BodyTooLargeError, readBody, startLoopbackServer, type LoopbackServer, type LoopbackServerOptions } from "./http-server.js";
import type { RoutedService } from "./route.js";

/** Where a fake listens: a server of its own (the default), or its share of a front door's single port. */
export interface ServiceServerOptions extends LoopbackServerOptions {
  /** Mount on this shared server instead of starting one. */
  front?: FrontDoor | undefined;
  /** The name the front door routes to this fake by (required with `front`). */
  name?: RoutedService;
  /** Largest request body read (default 2 MiB); over it the answer is 413. */
  bodyLimitBytes?: number;
}

/** An error a fake answers with, in the service's own wire shape (XML for STS, JSON for SQS...). */
export class FakeAwsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers (e.g. `x-amzn-query-error` for SQS). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "FakeAwsError";
  }
}

/** What a fake answers. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

/** A request as the service definitions see it. */
export interface FakeRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  /** `Host` header as sent (proves which hostname the client targeted). */
  host: string;
  body: string;
  /** Aborted when the fake is closing or the client went away: long polls must let go. */
  signal: AbortSignal;
  /** TLS server name (SNI) the client asked for, when the fake serves HTTPS and the client sent one. */
  servername?: string;
  now(): number;
}

/** The result of parsing a request: which action it is, and how to answer it. */
export interface ParsedCall {
  action: string;
  details?: Record<string, unknown>;
  accessKeyId?: string;
  /** Runs the action. Throw `FakeAwsError` for AWS errors. */
  handle(): Promise<Reply> | Reply;
}

/** What a concrete fake (STS, SQS, IMDS, container) provides to the shared machinery. */
export interface ServiceDefinition {
  /** Identifies the action (and verifies auth). Throw `FakeAwsError` to answer an error. */
  parse(request: FakeRequest): Promise<ParsedCall> | ParsedCall;
  /** Renders an AWS error in the service's wire shape. */
  renderError(error: FaultError, request: FakeRequest): Reply;
  /** A 200 answer the SDK cannot parse (for `malformNext`). */
  malformedReply(request: FakeRequest): Reply;
  /** Clears the service's own faults, if it has any, when `faults.restore()` is called. */
  restoreFaults?(): void;
}

/** What tests see of one fake service. */
export interface FakeServiceHandle {
  /** Base URL, e.g. `http://127.0.0.1:49152`. */
  readonly endpoint: string;
  /** Every call received, in order. */
  readonly calls: readonly CallRecord[];
  /** Number of calls received, optionally of one action only. */
  count(action?: string): number;
  clearCalls(): void;
  /** Latency and fault injection. */
  readonly faults: FaultControls;
}

export interface RunningService extends FakeServiceHandle {
  close(): Promise<void>;
}

/**
 * A concrete fake's handle: the running service's endpoint, call log, counters, faults and `close`, plus
 * the service's own members. Property descriptors are copied, so getters in `own` stay live; a `close`
 * in `own` replaces the service's.
 *
 * @example
 * ```ts
 * const service = await startFakeService(definition);
 * return extendHandle<FakeStsHandle>(service, { get issued() { return issued; }, setCredentialLifetime(s) { ... } });
 * ```
 */
export function extendHandle<H extends FakeServiceHandle>(
  service: RunningService,
  own: Omit<H, keyof FakeServiceHandle> & { close?(): Promise<void> },
): H & { close(): Promise<void> } {
  // A new object: `service` itself stays as it was, so an own `close` can still call `service.close()`.
  const handle: object = Object.defineProperties({}, Object.getOwnPropertyDescriptors(service));
  return Object.defineProperties(handle, Object.getOwnPropertyDescriptors(own)) as H & { close(): Promise<void> };
}

/**
 * The URL of a request as AWS front ends read it: the path as sent, duplicate slashes included (`//` is a
 * path, not a protocol-relative URL), whatever the `Host` header says.
 */
export function requestUrl(target: string | undefined, host: string): URL {
  const raw = target ?? "/";
  const pathAndQuery = raw.startsWith("/") ? raw : /^https?:\/\//i.test(raw) ? raw.replace(/^https?:\/\/[^/?#]*/i, "") || "/" : `/${raw}`;
  for (const base of [host, "127.0.0.1"]) {
    try {
      return new URL(`http://${base || "127.0.0.1"}${pathAndQuery}`);
    } catch {
      // A Host header no URL can carry: fall back to the loopback address.
    }
  }
  return new URL("http://127.0.0.1/");
}

/** Starts one fake service on loopback. */
export async function startFakeService(
  definition: ServiceDefinition,
  now: () => number = Date.now,
  serverOptions: ServiceServerOptions = {},
): Promise<RunningService> {
  const log = new CallLog();
  const faults = new FaultController(() => definition.restoreFaults?.());

  const listener = (req: IncomingMessage, res: ServerResponse, preread?: string): void => {
    void serve(req, res, preread).catch(() => {
      // Never drop a connection without an answer while one can still be given.
      if (res.headersSent || res.destroyed) return;
      res.writeHead(500, { "content-type": "text/plain" }).end("fake AWS: internal error\n");
    });
  };

  async function serve(req: IncomingMessage, res: ServerResponse, preread?: string): Promise<void> {
    const gone = new AbortController();
    res.on("close", () => gone.abort());
    const signal = AbortSignal.any([gone.signal, server.closing]);
    const host = req.headers.host ?? "";
    const url = requestUrl(req.url, host);
    let body = "";
    const request: FakeRequest = { method: req.method ?? "GET", url, headers: req.headers, host, body, signal, now };
    const servername = (req.socket as Partial<TLSSocket>).servername;
    if (typeof servername === "string" && servername !== "") request.servername = servername;
    const record: CallRecord = log.add({ action: `${request.method} ${url.pathname}`, host, time: now(), details: {} });
    try {
      body = preread ?? (await readBody(req, serverOptions.bodyLimitBytes));
      request.body = body;
      const call = await definition.parse(request);
      record.action = call.action;
      record.details = call.details ?? {};
      if (call.accessKeyId !== undefined) record.accessKeyId = call.accessKeyId;

      if (faults.latencyMs > 0) await sleep(faults.latencyMs, undefined, { signal });
      const decision = faults.decide(call.action);
      switch (decision.kind) {
        case "error":
          record.fault = "error";
          return send(res, record, definition.renderError(decision.error, request), decision.error.code);
        case "malformed":
          record.fault = "malformed";
          return send(res, record, definition.malformedReply(request));
        case "hang":
          record.fault = "hang";
          return hang(res, signal);
        case "none":
          return send(res, record, await call.handle());
      }
    } catch (error) {
      if (signal.aborted) {
        res.destroy();
        return;
      }
      const fault: FaultError =
        error instanceof FakeAwsError
          ? { status: error.status, code: error.code, message: error.message }
          : error instanceof BodyTooLargeError
            ? { status: 413, code: "RequestEntityTooLarge", message: error.message }
            : { status: 500, code: "InternalFailure", message: `fake AWS internal error: ${(error as Error).message}` };
      const reply = definition.renderError(fault, request);
      if (error instanceof FakeAwsError) reply.headers = { ...reply.headers, ...error.headers };
      send(res, record, reply, fault.code);
    }
  }

  function hang(res: ServerResponse, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const release = (): void => {
        untrack();
        res.destroy();
        resolve();
      };
      const untrack = faults.trackHang(release);
      signal.addEventListener("abort", release, { once: true });
    });
  }

  function send(res: ServerResponse, record: CallRecord, reply: Reply, errorCode?: string): void {
    record.status = reply.status;
    if (errorCode !== undefined) record.errorCode = errorCode;
    if (res.destroyed) return;
    const payload = Buffer.from(reply.body, "utf8");
    res.writeHead(reply.status, {
      "x-amzn-requestid": crypto.randomUUID(),
      ...reply.headers,
      "content-length": String(payload.length),
    });
    res.end(payload);
  }

  // Requests only arrive once listening (or mounted), i.e. after `server` is assigned.
  const { front } = serverOptions;
  let server: Pick<LoopbackServer, "endpoint" | "closing" | "close">;
  if (front !== undefined) {
    if (serverOptions.tls !== undefined) throw new Error("fake AWS: a fake with its own TLS certificate cannot share the single port");
    // The front door owns the socket; closing this fake only stops its long polls and hangs.
    const closing = new AbortController();
    server = { endpoint: front.endpoint, closing: AbortSignal.any([front.closing, closing.signal]), close: async () => closing.abort() };
    front.mount(serverOptions.name ?? "sqs", listener);
  } else {
    server = await startLoopbackServer(listener, serverOptions);
  }
  const running = server;
  return {
    endpoint: running.endpoint,
    get calls() {
      return log.calls;
    },
    count: (action) => log.count(action),
    clearCalls: () => log.clear(),
    faults,
    close: async () => {
      faults.restore();
      await running.close();
    },
  };
}
