/**
 * A cached role's side of "AWS rejected these credentials": the same rule as a refresher's (see
 * `RefreshEngine.invalidate`), on a role entry. Kept beside the entry rather than in it: what it remembers
 * per entry (the last rejection, the last fetch it drove) lives in a WeakMap that dies with the entry.
 */
import { describeError } from "../refresh/errors.js";
import type { CredentialRejection, InvalidationResult } from "../refresh/rejection-target.js";
import type { Logger } from "../shared/logger.js";
import { maskAccessKeyId } from "../shared/mask-access-key-id.js";
import type { SafeCredentials } from "../shared/safe-credentials.js";
import { hasValidCredentials, type RoleEntry } from "./entry.js";

/** What a role provider's `describe()` shows of the last rejection. */
export interface RoleRejection {
  at: Date;
  code: string | undefined;
  accessKeyId: string | undefined;
}

interface RejectionMemory {
  /** When the last fetch driven by a rejection started (the rate limit). */
  fetchAt: number | undefined;
  last: RoleRejection | undefined;
}

export interface EntryRejectionDeps {
  now(): number;
  intervalMs: number;
  logger: Logger;
  /** Starts a fetch for the entry (single flight: `entry.inFlight`). */
  fetch(entry: RoleEntry): Promise<SafeCredentials>;
}

const memory = new WeakMap<RoleEntry, RejectionMemory>();

/** The last rejection of an entry's credentials, if any (for `describe()`). */
export function lastRejection(entry: RoleEntry): RoleRejection | undefined {
  const last = memory.get(entry)?.last;
  return last === undefined ? undefined : { ...last, at: new Date(last.at) };
}

async function joined(pending: Promise<SafeCredentials>, named: string | undefined, fetched: boolean): Promise<InvalidationResult> {
  try {
    const credentials = await pending;
    return credentials.accessKeyId !== named ? { replaced: true, fetched } : { replaced: false, fetched, reason: "STS returned the same credentials" };
  } catch (error) {
    return { replaced: false, fetched, reason: `AssumeRole failed: ${describeError(error)}` };
  }
}

/**
 * AWS rejected `accessKeyId` (default: the entry's credentials): withdraw them and fetch once (shared
 * with every caller of the role), unless newer ones are held, a fetch is running (joined) or a fetch
 * driven by a rejection ran less than `intervalMs` ago (then they stay, and the result says why).
 *
 * @example
 * ```ts
 * await invalidateEntry(entry, "ASIA…", { code: "ExpiredToken" }, deps); // { replaced: true, fetched: true }
 * ```
 */
export async function invalidateEntry(entry: RoleEntry, accessKeyId: string | undefined, rejection: CredentialRejection, deps: EntryRejectionDeps): Promise<InvalidationResult> {
  const now = deps.now();
  const held = entry.credentials;
  const named = accessKeyId ?? held?.accessKeyId;
  let mem = memory.get(entry);
  if (mem === undefined) memory.set(entry, (mem = { fetchAt: undefined, last: undefined }));
  mem.last = { at: new Date(now), code: rejection.code, accessKeyId: named === undefined ? undefined : maskAccessKeyId(named) };
  const role = entry.request.role.arn;
  if (held === undefined || held.accessKeyId !== named) {
    if (entry.inFlight !== undefined) return joined(entry.inFlight, named, false);
    if (hasValidCredentials(entry, now)) return { replaced: true, fetched: false };
    return { replaced: false, fetched: false, reason: `no valid credentials of ${role} are held to replace them with` };
  }
  const what = `${maskAccessKeyId(held.accessKeyId)}${rejection.code === undefined ? "" : ` (${rejection.code})`}`;
  if (entry.inFlight === undefined && mem.fetchAt !== undefined && now - mem.fetchAt < deps.intervalMs) {
    const reason =
      `new credentials of ${role} were fetched at ${new Date(mem.fetchAt).toISOString()} after an earlier rejection, and AWS rejected ${what} as well; ` +
      `at most one such fetch per ${deps.intervalMs} ms (rejectionRefreshIntervalMs), so not before ${new Date(mem.fetchAt + deps.intervalMs).toISOString()}`;
    deps.logger.error(`awscreds: AWS rejected credentials of ${role}: ${reason}`);
    return { replaced: false, fetched: false, reason };
  }
  // Withdrawn: never handed out again; callers join the fetch below (or the one running).
  entry.credentials = undefined;
  entry.resolved = undefined;
  entry.expiresAt = undefined;
  entry.nextRefreshAt = undefined;
  if (entry.inFlight !== undefined) return joined(entry.inFlight, named, false);
  mem.fetchAt = now;
  deps.logger.warn(`awscreds: AWS rejected credentials ${what} of ${role} before their expiry; withdrawn, assuming the role again`);
  return joined(deps.fetch(entry), named, true);
}
