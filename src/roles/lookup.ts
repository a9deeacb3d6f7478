/**
 * Finding a role's entry: the session name a spec gets (its own, or one naming the service and tenant),
 * the key it is filed under, and a new entry (with its provider) when there is none.
 */
import { resolveAssumeRoleRequest } from "../sources/assume-role-config.js";
import { parseRoleArn } from "../sources/role-arn.js";
import { attributedSessionName } from "../sources/session-name.js";
import type { CachedRoleProvider } from "./cache-types.js";
import { WHO, type RoleCacheCore } from "./core.js";
import { newEntry, type RoleEntry } from "./entry.js";
import { insertEntry } from "./eviction.js";
import { roleCacheKey } from "./key.js";
import type { CachedRoleSpec } from "./options.js";
import type { EntryRejectionDeps } from "./rejection.js";
import { makeProvider } from "./serve.js";

/**
 * The session name of a spec: its own, else the service and the tenant (or the role's account).
 *
 * @example
 * ```ts
 * sessionNameFor({ roleArn: "arn:aws:iam::123456789012:role/r", tenant: "acme" }, "billing-api");
 * ```
 */
export function sessionNameFor(role: CachedRoleSpec, serviceName: string): string {
  if (role.roleSessionName !== undefined) return role.roleSessionName;
  const tenant = role.tenant ?? parseRoleArn(role.roleArn)?.accountId ?? "tenant";
  return attributedSessionName(serviceName, tenant);
}

/** The entry of a spec, if the cache holds one. Throws a TypeError when `role` is not an object. */
export function lookupEntry(core: RoleCacheCore, role: CachedRoleSpec): RoleEntry | undefined {
  if (typeof role !== "object" || role === null) throw new TypeError(`${WHO}: provider() takes an object with roleArn`);
  return core.entries.get(roleCacheKey(role, sessionNameFor(role, core.settings.serviceName)));
}

/**
 * The provider of a spec: the entry's if held, else a new entry's (the spec checked first: RangeError
 * naming STS's limit when invalid).
 *
 * @example
 * ```ts
 * const provider = providerFor(core, { roleArn, externalId }, rejectionDeps);
 * ```
 */
export function providerFor(core: RoleCacheCore, role: CachedRoleSpec, rejectionDeps: EntryRejectionDeps): CachedRoleProvider {
  const found = lookupEntry(core, role);
  if (found) return core.providers.get(found)!;
  const name = sessionNameFor(role, core.settings.serviceName);
  const request = resolveAssumeRoleRequest({ ...role, roleSessionName: name }, () => name, `${WHO}: provider()`);
  const entry = newEntry(roleCacheKey(role, name), request, core.now());
  core.providers.set(entry, makeProvider(core, entry, rejectionDeps));
  insertEntry(core, entry);
  return core.providers.get(entry)!;
}
