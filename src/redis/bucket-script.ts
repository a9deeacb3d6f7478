/**
 * The shared token bucket, one Lua script run atomically by Redis: the same arithmetic as the role cache's
 * own bucket (`roles/token-bucket.ts`) on Redis's clock, so every replica sees one bucket. Demand before
 * background across the fleet: a demand call told to wait holds background calls back until it is due.
 * Throttling seen by any replica halves the fleet's rate and pauses it; the rate grows back the same way.
 */
import type { TokenBucketPolicy } from "../shared/token-bucket.js";

export const BUCKET_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local op = ARGV[1]
local target, burst, minRate = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local decrease, recovery = tonumber(ARGV[5]), tonumber(ARGV[6])
local basePause, maxPause, rnd = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local h = redis.call('HMGET', KEYS[1], 'tokens', 'rate', 'at', 'paused', 'streak', 'throttles', 'granted', 'demandUntil')
local tokens = math.min(tonumber(h[1]) or burst, burst)
local rate = math.min(tonumber(h[2]) or target, target)
local at = tonumber(h[3]) or now
local paused = tonumber(h[4]) or 0
local streak = tonumber(h[5]) or 0
local throttles = tonumber(h[6]) or 0
local granted = tonumber(h[7]) or 0
local demandUntil = tonumber(h[8]) or 0
if now > at then
  local earning = math.max(0, now - math.max(at, paused)) / 1000
  tokens = math.min(burst, tokens + earning * rate)
  if streak == 0 then rate = math.min(target, rate + target * recovery * (now - at) / 1000) end
  at = now
end
local ok, wait = 0, 0
if op == 'demand' or op == 'background' then
  if now < paused then
    wait = paused - now
  elseif op == 'background' and now < demandUntil then
    wait = demandUntil - now
  elseif tokens >= 1 then
    tokens = tokens - 1
    ok = 1
    granted = granted + 1
  else
    wait = math.ceil((1 - tokens) / rate * 1000)
  end
  -- Held until the demand's retry is due, plus a margin for its round trip (a token interval, at least 100 ms).
  if ok == 0 and op == 'demand' then demandUntil = math.max(demandUntil, now + wait + math.max(100, 1000 / rate)) end
elseif op == 'throttled' then
  throttles = throttles + 1
  tokens = 0
  if now >= paused then
    streak = streak + 1
    local ceiling = math.min(maxPause, basePause * 2 ^ (streak - 1))
    paused = now + math.floor(ceiling / 2 + ceiling / 2 * rnd + 0.5)
    rate = math.max(minRate, rate * decrease)
  end
elseif op == 'accepted' then
  streak = 0
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'rate', tostring(rate), 'at', tostring(at), 'paused', tostring(paused),
  'streak', tostring(streak), 'throttles', tostring(throttles), 'granted', tostring(granted), 'demandUntil', tostring(demandUntil))
redis.call('PEXPIRE', KEYS[1], ARGV[10])
return { tostring(ok), tostring(wait), tostring(rate), tostring(math.max(0, paused - now)), tostring(throttles), tostring(streak) }
`;

/** `demand`/`background`: take a token; `throttled`, `accepted`: what STS answered; `peek`: read only. */
export type BucketOp = "demand" | "background" | "throttled" | "accepted" | "peek";

export interface BucketReply {
  granted: boolean;
  /** How long to wait before asking again (when not granted). */
  waitMs: number;
  /** The fleet's rate now. */
  rate: number;
  /** How long the pause after Throttling still lasts. */
  pausedMs: number;
  /** Throttling answers reported by the fleet. */
  throttles: number;
  /** Throttlings since the fleet's last accepted call. */
  streak: number;
}

/** An idle bucket is dropped after this: the next call starts it full, at the target rate. */
const IDLE_EXPIRY_MS = 10 * 60_000;

/** The script's arguments for `op`. */
export function bucketArgs(op: BucketOp, policy: TokenBucketPolicy, random: number): string[] {
  const p = policy;
  return [op, p.targetRate, p.burst, p.minRate, p.decrease, p.recoveryPerSecond, p.basePauseMs, p.maxPauseMs, Math.min(Math.max(random, 0), 1), IDLE_EXPIRY_MS].map(String);
}

/**
 * @throws TypeError when Redis answered something else than the script's reply.
 *
 * @example
 * ```ts
 * parseBucketReply(["1", "0", "45", "0", "0", "0"]); // { granted: true, waitMs: 0, rate: 45, … }
 * ```
 */
export function parseBucketReply(reply: unknown): BucketReply {
  if (!Array.isArray(reply) || reply.length < 6) throw new TypeError("the shared STS budget's script answered something unexpected");
  const [ok, wait, rate, paused, throttles, streak] = reply.map((v) => Number(String(v)));
  return { granted: ok === 1, waitMs: Math.max(1, wait!), rate: rate!, pausedMs: paused!, throttles: throttles!, streak: streak! };
}
