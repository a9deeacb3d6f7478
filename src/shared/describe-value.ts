/**
 * Words for a thrown value (or a `cause`) that is not an `Error`. An object here is typically a raw reply
 * or a config some library threw as is; any of its values may be a secret under any key, so it is
 * described — its kind and field names — never serialised.
 */

/** Field names worth showing: identifiers, not data that happens to be a key (a token used as a map key). */
const FIELD_NAME = /^[A-Za-z_$][\w$-]{0,63}$/;
const MAX_FIELDS = 12;

/**
 * A one-line description of `value`: `Object with fields statusCode, body (values withheld: they may hold
 * secrets)` for objects, `Array of 3 items (…)` for arrays, the value itself for primitives (the caller
 * redacts strings). Never throws, whatever getters or proxies the value has.
 *
 * @example
 * ```ts
 * describeValue({ statusCode: 500, body: "<secret>" }); // "Object with fields statusCode, body (values withheld: they may hold secrets)"
 * describeValue("socket hang up"); // "socket hang up"
 * ```
 */
export function describeValue(value: unknown): string {
  try {
    if (typeof value === "function") return `a function${value.name ? ` (${value.name})` : ""}`;
    if (typeof value !== "object" || value === null) return String(value);
    const withheld = "(values withheld: they may hold secrets)";
    if (Array.isArray(value)) return `Array of ${value.length} item${value.length === 1 ? "" : "s"} ${withheld}`;
    const kind = kindOf(value);
    const keys = Object.keys(value);
    if (keys.length === 0) return `${kind} without fields`;
    const shown = keys.slice(0, MAX_FIELDS).map((key) => (FIELD_NAME.test(key) ? key : "…"));
    const more = keys.length > MAX_FIELDS ? ` and ${keys.length - MAX_FIELDS} more` : "";
    return `${kind} with field${keys.length === 1 ? "" : "s"} ${shown.join(", ")}${more} ${withheld}`;
  } catch {
    return "a value that could not be described";
  }
}

function kindOf(value: object): string {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === null) return "Object";
  const name: unknown = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" && FIELD_NAME.test(name) ? name : "Object";
}
