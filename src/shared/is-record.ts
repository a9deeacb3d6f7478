/**
 * The one guard for "an object whose fields may be read", used where values come from duck-typed SDK
 * configs and agents whose exact classes cannot be relied on (two copies of a package in one tree).
 */

/**
 * Whether `value` is a non-null object (arrays included, functions not), so its fields may be read.
 *
 * @example
 * ```ts
 * isRecord({ keepAlive: true }); // true
 * isRecord(null); // false
 * ```
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
