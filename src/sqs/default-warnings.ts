/**
 * What `consume` and `pollMessages` say when nobody listens (no `onError`, no `logger`): a consumer
 * whose queue is unreachable or whose credentials are rejected must not fail in silence, yet one that
 * retries every second must not flood the log either. So: the first error of each code at once, then at
 * most one line a minute per code, saying how many were left unsaid.
 */
import { redactError } from "../shared/redact-error.js";
import { describeError, errorCodes } from "./classify-error.js";

/** Pure: which errors get a line. One entry per error code. */
export class WarningGate {
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(private readonly intervalMs: number) {}

  /** Whether an error with this `key` seen at `now` is said, and how many of it were not said since the last line. */
  decide(key: string, now: number): { emit: false } | { emit: true; suppressed: number } {
    const last = this.#last.get(key);
    if (last !== undefined && now - last.at < this.intervalMs) {
      last.suppressed += 1;
      return { emit: false };
    }
    this.#last.set(key, { at: now, suppressed: 0 });
    return { emit: true, suppressed: last?.suppressed ?? 0 };
  }
}

export interface UnheardError {
  /** The SQS action that failed (`ReceiveMessage`, …) or `callback`. */
  operation: string;
  kind: string;
  delayMs?: number;
}

/** One minute: often enough to see an outage go on, rarely enough not to drown the rest of the log. */
export const DEFAULT_WARNING_INTERVAL_MS = 60_000;

/**
 * A reporter for errors nobody asked to hear: `console.warn` by default, gated by {@link WarningGate}.
 *
 * @example
 * ```ts
 * const warn = unheardErrorWarner("consume");
 * warn(error, { operation: "ReceiveMessage", kind: "credentials", delayMs: 500 });
 * ```
 */
export function unheardErrorWarner(
  who: "consume" | "pollMessages",
  sink: (line: string) => void = (line) => console.warn(line),
  now: () => number = Date.now,
  intervalMs = DEFAULT_WARNING_INTERVAL_MS,
): (error: unknown, info: UnheardError) => void {
  const gate = new WarningGate(intervalMs);
  return (error, info) => {
    const code = errorCodes(error)[0] ?? "Error";
    const verdict = gate.decide(`${info.operation}:${code}`, now());
    if (!verdict.emit) return;
    const retry = info.delayMs === undefined ? "" : `, retrying in ${info.delayMs} ms`;
    const more = verdict.suppressed > 0 ? ` (${verdict.suppressed} more like it since the last warning)` : "";
    try {
      sink(
        `awscreds/sqs: ${info.operation} failed (${info.kind}${retry}): ${describeError(redactError(error))}${more}. ` +
          `Pass onError or logger to ${who}() to handle these yourself; until then this repeats at most once a minute per error code.`,
      );
    } catch {
      // A broken console must not break the consumer.
    }
  };
}
