/**
 * Role session names. Pure. STS accepts `[\w+=,.@-]{2,64}`; CloudTrail shows the name next to every
 * call made with the credentials, so the default says which pod or host made them.
 */

/** What STS accepts as `RoleSessionName`. */
export const SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;

const MAX = 64;

/**
 * A valid default session name: the host name (in Kubernetes, the pod name) with anything STS rejects
 * replaced, plus a short random suffix so restarts of the same pod are told apart.
 *
 * @param input.hostname e.g. `os.hostname()`; `input.random` a few `[a-z0-9]` characters.
 *
 * @example
 * ```ts
 * defaultSessionName({ hostname: "orders-api-7d9f8b6c5-x2k4p", random: "k3j9q1" });
 * // "orders-api-7d9f8b6c5-x2k4p-k3j9q1"
 * ```
 */
export function defaultSessionName(input: { hostname: string | undefined; random: string }): string {
  const suffix = input.random.replace(/[^\w]/g, "").slice(0, 12) || "0";
  const host = (input.hostname ?? "")
    .replace(/[^\w+=,.@-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const base = host || "awscreds";
  return `${base.slice(0, MAX - suffix.length - 1)}-${suffix}`;
}

/** `undefined` when `name` is a valid session name, otherwise why not. */
export function sessionNameProblem(name: string): string | undefined {
  if (SESSION_NAME_PATTERN.test(name)) return undefined;
  if (name.length < 2 || name.length > MAX) return `it is ${name.length} characters long; STS accepts 2 to 64`;
  return "it contains characters STS rejects; use letters, digits and + = , . @ _ - only";
}

/**
 * A session name CloudTrail can attribute: `<service>@<tenant>` (e.g. `billing-api@acme`), with anything STS
 * rejects replaced and the service shortened first so the tenant always fits in STS's 64 characters.
 * Deterministic, so one tenant's role keeps one session name.
 *
 * @example
 * ```ts
 * attributedSessionName("billing-api", "tenant 42"); // "billing-api@tenant-42"
 * ```
 */
export function attributedSessionName(service: string, tenant: string): string {
  const clean = (text: string): string => text.replace(/[^\w+=,.@-]+/g, "-").replace(/^-+|-+$/g, "");
  const who = clean(tenant).slice(0, MAX - 3) || "tenant";
  const svc = clean(service).replace(/@/g, "-").slice(0, MAX - who.length - 1) || "awscreds";
  const name = `${svc}@${who}`;
  return name.length >= 2 ? name : `${name}-x`;
}
