import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { Socket } from "node:net";

/** A loopback HTTP server that can be closed with requests still hanging. */
export interface LoopbackServer {
  readonly endpoint: string;
  readonly port: number;
  /** Aborted when `close()` starts: long polls and hangs listen to it and let go. */
  readonly closing: AbortSignal;
  close(): Promise<void>;
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** PEM-encoded key and certificate: the server then speaks HTTPS (SNI and Host reach the listener). */
export interface LoopbackTlsOptions {
  key: string;
  cert: string;
}

export interface LoopbackServerOptions {
  /** Port to listen on; 0 (the default) picks an ephemeral one. */
  port?: number;
  /** Serve HTTPS instead of HTTP. */
  tls?: LoopbackTlsOptions;
  /** Address to listen on. Default 127.0.0.1 (`0.0.0.0` lets containers on another network in). */
  host?: string;
}

/**
 * Starts `listener` on 127.0.0.1 with an ephemeral port (or the given one), over HTTP or, with `tls`, HTTPS.
 * The second argument may still be a bare port number.
 */
export async function startLoopbackServer(listener: RequestListener, options: number | LoopbackServerOptions = {}): Promise<LoopbackServer> {
  const { port = 0, tls, host = "127.0.0.1" } = typeof options === "number" ? { port: options } : options;
  const sockets = new Set<Socket>();
  const closing = new AbortController();
  // An https.Server is an http.Server as far as listening, closing and keep-alive go.
  const server: Server = tls ? createTlsServer({ key: tls.key, cert: tls.cert }, listener) : createServer(listener);
  // Tests want quick shutdowns; keep-alive sockets are tracked and destroyed on close.
  server.keepAliveTimeout = 5_000;
  // For HTTPS, "connection" sees the raw TCP socket; destroying it also ends the TLS socket on top.
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("fake AWS: server has no TCP address");
  let closed: Promise<void> | undefined;
  return {
    // Listening on every interface: loopback is still the address this process reaches it by.
    endpoint: `${tls ? "https" : "http"}://${host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host}:${address.port}`,
    port: address.port,
    closing: closing.signal,
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeIdleConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}

/** A request body over the limit: answered 413, as AWS front ends do, once the body has been read off the wire. */
export class BodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`Request body is larger than ${limitBytes} bytes`);
    this.name = "BodyTooLargeError";
  }
}

/** How far past the limit a body is still read (and dropped) to answer 413 on a usable connection. */
const DRAIN_LIMIT_FACTOR = 32;

/**
 * Reads a whole request body as UTF-8, capped so a bad client cannot exhaust memory. Past the cap the
 * rest is read and dropped (not kept), so the error can still be answered on a keep-alive socket the
 * client will reuse; stopping mid-body (or destroying the request) would reset that socket instead.
 */
export function readBody(req: IncomingMessage, limitBytes = 2 * 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) chunks.push(chunk);
      // Draining has its limits too: a client that never stops sending loses its connection.
      else if (size > DRAIN_LIMIT_FACTOR * limitBytes) req.destroy(new BodyTooLargeError(limitBytes));
    });
    req.once("end", () => (size > limitBytes ? reject(new BodyTooLargeError(limitBytes)) : resolve(Buffer.concat(chunks).toString("utf8"))));
    req.once("error", reject);
    // A client that goes away mid-body ("close" before "end"): nothing to answer. After "end" this is a no-op.
    req.once("close", () => reject(new Error("request aborted")));
  });
}
