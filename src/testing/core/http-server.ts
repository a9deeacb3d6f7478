import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
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

/** Starts `listener` on 127.0.0.1 with an ephemeral port. */
export async function startLoopbackServer(listener: RequestListener, port = 0): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  const closing = new AbortController();
  const server: Server = createServer(listener);
  // Tests want quick shutdowns; keep-alive sockets are tracked and destroyed on close.
  server.keepAliveTimeout = 5_000;
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("fake AWS: server has no TCP address");
  let closed: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
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

/** Reads a whole request body as UTF-8, capped so a bad client cannot exhaust memory. */
export async function readBody(req: IncomingMessage, limitBytes = 2 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limitBytes) throw new Error("request body too large");
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}
