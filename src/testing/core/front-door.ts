/**
 * The single port of `startFakeAws({ port })` and `awscreds fake`: one HTTP server in front of the fakes,
 * routing each request (see route.ts) to the fake it is for, plus a health endpoint. The fakes keep their
 * own call logs, faults and answers; only the socket is shared.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLargeError, readBody, startLoopbackServer, type LoopbackServer } from "./http-server.js";
import { routeOf, type RoutedService } from "./route.js";

/** How a fake serves a request whose body the front door has already read. */
export type MountedListener = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** The shared server as the fakes see it. */
export interface FrontDoor {
  readonly endpoint: string;
  readonly port: number;
  readonly closing: AbortSignal;
  /** Serves `name`'s requests with `listener` from now on. */
  mount(name: RoutedService, listener: MountedListener): void;
  close(): Promise<void>;
}

/** Paths answered with the fakes' health: awscreds' own, and LocalStack's (so its health checks keep working). */
export const HEALTH_PATHS: readonly string[] = ["/_awscreds/health", "/_localstack/health"];

/** Largest request body the front door reads: room for a 1 MiB SQS message percent-encoded by a Query client. */
export const FRONT_DOOR_BODY_LIMIT = 6 * 1024 * 1024;

/**
 * Starts the shared server on `port` (0: any) of `host` (default 127.0.0.1; `0.0.0.0` for containers on
 * another network).
 *
 * @example
 * ```ts
 * const front = await startFrontDoor({ port: 4566 });
 * front.mount("sqs", (req, res, body) => sqsService.serve(req, res, body));
 * ```
 */
export async function startFrontDoor(options: { port: number; host?: string }): Promise<FrontDoor> {
  const mounted = new Map<RoutedService, MountedListener>();

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    void serve(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) res.writeHead(500, { "content-type": "text/plain" }).end("fake AWS: internal error\n");
    });
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://front-door");
    if (req.method === "GET" && HEALTH_PATHS.includes(url.pathname)) {
      const services = Object.fromEntries([...mounted.keys()].map((name) => [name, "running"]));
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ services, edition: "awscreds-fake" }));
      return;
    }
    let body: string;
    try {
      body = await readBody(req, FRONT_DOOR_BODY_LIMIT);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      res.writeHead(413, { "content-type": "text/plain" }).end(`${error.message}\n`);
      return;
    }
    const params = new URLSearchParams(url.search);
    const type = req.headers["content-type"] ?? "";
    if (req.method === "POST" && /x-www-form-urlencoded/i.test(type)) for (const [k, v] of new URLSearchParams(body)) params.append(k, v);
    const target = mounted.get(routeOf({ path: url.pathname, headers: req.headers, params }));
    if (target === undefined) {
      res.writeHead(404, { "content-type": "text/plain" }).end("fake AWS: no fake serves this request\n");
      return;
    }
    target(req, res, body);
  }

  const server: LoopbackServer = await startLoopbackServer(listener, { port: options.port, ...(options.host !== undefined && { host: options.host }) });
  return {
    endpoint: server.endpoint,
    port: server.port,
    closing: server.closing,
    mount: (name, serveMounted) => void mounted.set(name, serveMounted),
    close: () => server.close(),
  };
}
