/**
 * `awscreds/redis`: the fleet-wide STS budget. The only code that touches a Redis client, and only the
 * one your application passes (ioredis 5 or node-redis 5); importing `awscreds` never loads this.
 *
 * @packageDocumentation
 * @module awscreds/redis
 */
export { createRedisStsBudget, DEFAULT_REDIS_STS_BUDGET_OPTIONS } from "./budget.js";
export type { RedisStsBudgetOptions } from "./budget.js";
export type { IoRedisLikeClient, NodeRedisLikeClient, RedisClientLike } from "./client.js";
export type { RateBudgetStatus, SharedBudgetStatus, StsBudget } from "../shared/sts-budget.js";
