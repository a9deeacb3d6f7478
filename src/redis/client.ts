/**
 * The application's Redis client, whichever it is: ioredis 5 (`client.call(...)`) or node-redis 5
 * (`client.sendCommand([...])`). Only raw commands are sent, so the two clients' APIs never matter and
 * neither package is imported: the application brings its own.
 */

/** An ioredis 5 client (`new Redis(...)`), or a cluster of them. */
export interface IoRedisLikeClient {
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
}

/** A node-redis 5 client (`createClient(...)`, connected). */
export interface NodeRedisLikeClient {
  sendCommand(args: string[]): Promise<unknown>;
}

export type RedisClientLike = IoRedisLikeClient | NodeRedisLikeClient;

/** Sends one command, arguments as strings. */
export type RedisSend = (args: string[]) => Promise<unknown>;

const isFunction = (value: unknown): value is (...args: never[]) => unknown => typeof value === "function";

/**
 * @throws TypeError when `client` is neither.
 *
 * @example
 * ```ts
 * const send = redisSender(new Redis(6379));
 * await send(["PING"]); // "PONG"
 * ```
 */
export function redisSender(client: RedisClientLike, who: string): RedisSend {
  const c = client as unknown as Record<string, unknown>;
  // ioredis has a sendCommand too (taking its own Command objects): `call` tells it apart.
  if (typeof client === "object" && client !== null && isFunction(c.call) && isFunction(c.defineCommand)) {
    const io = client as IoRedisLikeClient;
    return ([command, ...args]) => io.call(command!, ...args);
  }
  if (typeof client === "object" && client !== null && isFunction(c.sendCommand)) {
    const node = client as NodeRedisLikeClient;
    return (args) => node.sendCommand(args);
  }
  throw new TypeError(`${who}: client must be your ioredis 5 client (new Redis(...)) or node-redis 5 client (createClient(...), connected)`);
}
