/**
 * Number formatting for the tables: few significant digits, explicit units, so a microsecond and a
 * 300 ms STS wait are both readable in the same column.
 */

/**
 * Milliseconds with a unit chosen by magnitude (`µs` under 1 ms). `–` for NaN.
 *
 * @example
 * ```ts
 * formatMs(301.4); // "301 ms"
 * formatMs(0.0123); // "12.3 µs"
 * ```
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  if (ms === 0) return "0 ms";
  if (ms < 1) return `${sig(ms * 1000)} µs`;
  if (ms < 1000) return `${sig(ms)} ms`;
  return `${sig(ms / 1000)} s`;
}

/**
 * A share in [0, 1] as a percentage; tiny non-zero shares are kept visible instead of rounding to 0.
 *
 * @example
 * ```ts
 * formatShare(0.1234); // "12.3 %"
 * formatShare(0); // "0 %"
 * formatShare(0.00004); // "<0.01 %"
 * ```
 */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return "–";
  if (share === 0) return "0 %";
  const pct = share * 100;
  if (pct < 0.01) return "<0.01 %";
  return `${pct >= 10 ? pct.toFixed(1) : pct.toFixed(2)} %`;
}

/**
 * Nanoseconds, rounded to an integer (hot-path costs).
 *
 * @example
 * ```ts
 * formatNs(412.7); // "413 ns"
 * ```
 */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return "–";
  if (ns >= 10_000) return `${sig(ns / 1000)} µs`;
  return `${Math.round(ns)} ns`;
}

/**
 * An integer count with thousands separators.
 *
 * @example
 * ```ts
 * formatCount(10000); // "10,000"
 * ```
 */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return "–";
  return Math.round(n).toLocaleString("en-US");
}

/** Three significant digits, without trailing zeros or exponent notation. */
function sig(value: number): string {
  if (value >= 100) return Math.round(value).toString();
  return Number(value.toPrecision(3)).toString();
}
