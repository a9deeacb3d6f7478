/**
 * Loads `@opentelemetry/api` the first time telemetry is asked for, from awscreds' own location; a
 * failure (not installed, not resolvable from a bundle) means "telemetry off" and is remembered, so the
 * lookup costs one `require.resolve` per process. `telemetry: false` never gets here.
 *
 * Through `require` in both builds (see `lazyRequire`): the package's Node entry is CommonJS, so the
 * user's own `import "@opentelemetry/api"` loads the very same file. Even two copies would agree: the
 * API keeps its global providers and context keys under `Symbol.for` names on `globalThis`.
 */
import type * as OtelApi from "@opentelemetry/api";
import { canRequire, lazyRequire } from "../shared/lazy-require.js";

export type Otel = typeof OtelApi;

export const OTEL_API = "@opentelemetry/api";

let loaded: Otel | null | undefined;

/**
 * `@opentelemetry/api`, or `undefined` when it cannot be loaded.
 *
 * @example
 * ```ts
 * const api = otelApi();
 * if (api !== undefined) api.trace.getTracer("awscreds");
 * ```
 */
export function otelApi(): Otel | undefined {
  if (loaded === undefined) {
    loaded = null;
    if (canRequire(OTEL_API)) {
      try {
        loaded = lazyRequire<Otel>(OTEL_API);
      } catch {
        loaded = null;
      }
    }
  }
  return loaded ?? undefined;
}
