/**
 * Redis key names of a shared budget. Hashed: a key shows neither the account, the role, the session name
 * nor the ExternalId, only that it is awscreds'.
 */
import { createHash } from "node:crypto";

const digest = (...parts: string[]): string => createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 32);

/** The token bucket of a budget (`key`) in a region. */
export const bucketKey = (prefix: string, key: string, region: string): string => `${prefix}:sts-budget:${digest(key, region)}`;

/** A role's refusal cached for the fleet: `roleKey` is the role cache's key of the role (with its ExternalId). */
export const refusalKey = (prefix: string, key: string, region: string, roleKey: string): string => `${prefix}:sts-refusal:${digest(key, region, roleKey)}`;
