/**
 * `{ ...defaults, ...partial }` would let an explicit `undefined` in `partial` erase a default; options
 * objects built from optional fields carry such `undefined`s all the time.
 */

/**
 * A copy of `value` without its `undefined` properties, fit to spread over defaults.
 *
 * @example
 * ```ts
 * const policy = { ...DEFAULTS, ...stripUndefined({ maxDelayMs: undefined, multiplier: 3 }) }; // maxDelayMs keeps its default
 * ```
 */
export function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
