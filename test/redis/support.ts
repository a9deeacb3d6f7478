/**
 * Real Redis for the fleet-budget tests: a `redis-server` process per test file on a loopback port of its
 * own (no persistence), which a test may kill and start again on the same port; a TCP proxy that delays
 * every answer (a slow Redis); and clients of both kinds. Nothing mocks Redis.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";
import { Redis } from "ioredis";
import { createClient } from "redis";
import type { RedisClientLike } from "../../src/redis/index.js";

export interface RedisServer {
  port: number;
  /** Kills the server (SIGKILL: as a crash or a partition looks to the clients). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function waitReady(port: number, deadlineMs = 10_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => socket.write("PING\r\n"));
      socket.once("data", (data) => {
        socket.destroy();
        if (data.toString().startsWith("+PONG")) resolve();
        else retry();
      });
      socket.once("error", retry);
      function retry(): void {
        socket.destroy();
        if (Date.now() > until) reject(new Error(`redis-server on port ${port} did not start`));
        else setTimeout(attempt, 50);
      }
    };
    attempt();
  });
}

/** Starts `redis-server` (Debian's package; `.ci/run` installs it) on a free loopback port. */
export async function startRedis(): Promise<RedisServer> {
  if (spawnSync("redis-server", ["--version"]).status !== 0) throw new Error("test/redis needs redis-server on PATH: apt-get install redis-server (.ci/run installs Debian's, pinned)");
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"], { stdio: "ignore" });
    await waitReady(port);
  };
  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    await new Promise((resolve) => {
      running.once("exit", resolve);
      running.kill("SIGKILL");
    });
  };
  await start();
  return { port, kill, restart: start, close: kill };
}

export interface DelayProxy {
  port: number;
  /** Delay added to every chunk Redis sends back. */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

/** A TCP proxy to `targetPort` that holds Redis's answers for `delayMs` (a slow or congested Redis). */
export async function startDelayProxy(targetPort: number, delayMs: number): Promise<DelayProxy> {
  let delay = delayMs;
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = connect(targetPort, "127.0.0.1");
    sockets.add(inbound).add(outbound);
    inbound.on("data", (chunk) => outbound.write(chunk));
    outbound.on("data", (chunk) => setTimeout(() => inbound.writable && inbound.write(chunk), delay));
    const end = (): void => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on("error", end).on("close", end);
    outbound.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    setDelay: (ms) => void (delay = ms),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export type ClientKind = "ioredis" | "node-redis";

export interface TestClient {
  client: RedisClientLike;
  /** Every key and its value (strings and hashes), for the no-secret scan. */
  dump(): Promise<Map<string, string>>;
  close(): Promise<void>;
}

/** A client of `kind` to a Redis on `port`; reconnects on its own (as an application's does), errors swallowed. */
export async function redisClient(kind: ClientKind, port: number): Promise<TestClient> {
  if (kind === "ioredis") {
    const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => 100, maxRetriesPerRequest: null });
    client.on("error", () => undefined);
    await client.connect();
    return { client, dump: () => dump((args) => client.call(args[0]!, ...args.slice(1))), close: async () => void client.disconnect() };
  }
  const client = createClient({ socket: { port, host: "127.0.0.1", reconnectStrategy: () => 100 } });
  client.on("error", () => undefined);
  await client.connect();
  return { client, dump: () => dump((args) => client.sendCommand(args)), close: async () => void client.destroy() };
}

async function dump(send: (args: string[]) => Promise<unknown>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor = "0";
  do {
    const [next, keys] = (await send(["SCAN", cursor, "COUNT", "1000"])) as [string, string[]];
    cursor = String(next);
    for (const key of keys) {
      const type = String(await send(["TYPE", key]));
      const value = type === "hash" ? JSON.stringify(await send(["HGETALL", key])) : String(await send(["GET", key]));
      out.set(key, value);
    }
  } while (cursor !== "0");
  return out;
}
