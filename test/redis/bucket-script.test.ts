/**
 * The shared bucket's script, run by a real redis-server: the burst then one token per 1/rate, a demand
 * told to wait holding background calls back until it is due, Throttling halving the fleet's rate and
 * pausing it (counted fleet-wide), the streak ended by an accepted call. Times are Redis's own clock, so
 * the assertions are on what the script answers, with generous margins.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { bucketPolicy } from "../../src/shared/token-bucket.js";
import { BUCKET_SCRIPT, bucketArgs, parseBucketReply, type BucketOp } from "../../src/redis/bucket-script.js";
import { redisClient, startRedis, type RedisServer, type TestClient } from "./support.js";

let redis: RedisServer;
let client: TestClient;
let n = 0;

beforeAll(async () => {
  redis = await startRedis();
  client = await redisClient("node-redis", redis.port);
});
afterAll(async () => {
  await client?.close();
  await redis?.close();
});

function bucket(rate: number, burst: number) {
  const key = `awscreds:test-bucket:${++n}`;
  const policy = bucketPolicy(rate, burst);
  const send = (client.client as { sendCommand(args: string[]): Promise<unknown> }).sendCommand.bind(client.client);
  return async (op: BucketOp, random = 0) => parseBucketReply(await send(["EVAL", BUCKET_SCRIPT, "1", key, ...bucketArgs(op, policy, random)]));
}

it("spends the burst, then tells to wait about 1/rate", async () => {
  const take = bucket(2, 3);
  for (let i = 0; i < 3; i++) expect(await take("demand")).toMatchObject({ granted: true });
  const denied = await take("demand");
  expect(denied.granted).toBe(false);
  expect(denied.waitMs).toBeGreaterThan(300);
  expect(denied.waitMs).toBeLessThanOrEqual(500);
  expect((await take("peek")).granted).toBe(false); // peek never takes
});

it("a demand told to wait holds background calls back until it is due, even when a token comes first", async () => {
  const take = bucket(5, 1); // a token per 200 ms; a waiting demand holds background for its wait + 200 ms
  expect(await take("demand")).toMatchObject({ granted: true });
  const demand = await take("demand");
  expect(demand.granted).toBe(false);
  await new Promise((r) => setTimeout(r, demand.waitMs + 20)); // a token is there now
  const background = await take("background");
  expect(background.granted).toBe(false); // held for the demand's retry, not for lack of a token
  expect(await take("demand")).toMatchObject({ granted: true });
});

it("Throttling halves the fleet's rate, pauses it and counts it; answers during the pause shrink nothing more; accepted ends the streak", async () => {
  const take = bucket(40, 8);
  const first = await take("throttled", 0);
  expect(first).toMatchObject({ rate: 20, throttles: 1, streak: 1 });
  expect(first.pausedMs).toBeGreaterThanOrEqual(200);
  expect(first.pausedMs).toBeLessThanOrEqual(250);
  expect(await take("throttled", 0)).toMatchObject({ rate: 20, throttles: 2, streak: 1 });
  const paused = await take("demand");
  expect(paused.granted).toBe(false);
  await new Promise((r) => setTimeout(r, paused.waitMs + 10));
  const after = await take("demand");
  expect(after.granted || after.waitMs <= 60).toBe(true); // nothing earned during the pause, then 20/s
  expect(await take("accepted")).toMatchObject({ streak: 0 });
});
