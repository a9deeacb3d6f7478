/**
 * Human durations for the command's output ("in 59 min", "3 s ago", "312 ms").
 */

/**
 * A compact duration: `850 ms`, `12 s`, `5 min`, `3 h 20 min`, `2 d 4 h`.
 *
 * @example
 * ```ts
 * formatSeconds(3725); // "1 h 2 min"
 * ```
 */
export function formatSeconds(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) {
    const m = Math.floor((s % 3600) / 60);
    return `${Math.floor(s / 3600)} h${m ? ` ${m} min` : ""}`;
  }
  const h = Math.floor((s % 86_400) / 3600);
  return `${Math.floor(s / 86_400)} d${h ? ` ${h} h` : ""}`;
}

/** `in 5 min` for the future, `3 s ago` for the past, relative to `now` (epoch ms). */
export function relativeTo(iso: string, now: number): string {
  const delta = (Date.parse(iso) - now) / 1000;
  return delta >= 0 ? `in ${formatSeconds(delta)}` : `${formatSeconds(delta)} ago`;
}

/** Milliseconds with sensible precision: `0.2 ms`, `12 ms`, `1.3 s`. */
export function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}
