/**
 * `awscreds.source` for a provider the refresher or swapper was handed: awscreds' own sources say what
 * they are through a well-known symbol (a chain says which source it settled on, so it is a getter);
 * anything else is `custom`. No OpenTelemetry here: sources mark themselves without loading it.
 */

/** The property a source sets (non-enumerable) to its kind, or to a function returning it. */
export const SOURCE_KIND: unique symbol = Symbol.for("awscreds.source");

const KIND = /^[a-z][a-z0-9:_-]{0,63}$/;

/**
 * Marks `provider` as a source of `kind` (`web-identity`, `assume-role`, `container`, …) and returns it.
 *
 * @example
 * ```ts
 * return markSourceKind(provider, "web-identity");
 * return markSourceKind(chain, () => `chain:${chosen ?? "pending"}`);
 * ```
 */
export function markSourceKind<T extends object>(provider: T, kind: string | (() => string)): T {
  Object.defineProperty(provider, SOURCE_KIND, { value: kind, enumerable: false, configurable: true });
  return provider;
}

/**
 * The kind a provider was marked with, `custom` when unmarked (or when the mark is not a short lowercase
 * name: attribute values must stay low-cardinality).
 *
 * @example
 * ```ts
 * sourceKindOf(fromRegionalWebIdentity()); // "web-identity" (once sources mark themselves)
 * sourceKindOf(async () => creds);         // "custom"
 * ```
 */
export function sourceKindOf(provider: unknown): string {
  if ((typeof provider !== "function" && typeof provider !== "object") || provider === null) return "custom";
  let kind: unknown = (provider as { [SOURCE_KIND]?: unknown })[SOURCE_KIND];
  try {
    if (typeof kind === "function") kind = (kind as () => unknown)();
  } catch {
    return "custom";
  }
  return typeof kind === "string" && KIND.test(kind) ? kind : "custom";
}
