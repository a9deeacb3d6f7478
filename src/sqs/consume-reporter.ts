/**
 * Where `consume`'s errors and callbacks go: `onError` (a throwing one is logged, never propagated), the
 * rate-limited console warning when nobody listens, and the user's callbacks, which must never break
 * the consumer.
 */
import type { Logger } from "../shared/logger.js";
import { describeError } from "./classify-error.js";
import type { ConsumeErrorContext, ConsumeOptions } from "./consume-options.js";
import type { UnheardError } from "./default-warnings.js";

export interface ConsumeReporter {
  /** Hands an error to `onError` (and to the unheard-error warning, when nobody listens). */
  report(error: unknown, context: ConsumeErrorContext): void;
  /** Calls a user callback; if it throws, the error is logged and reported, not thrown. */
  callback<A extends unknown[]>(name: string, fn: ((...args: A) => void) | undefined, ...args: A): void;
}

export function consumeReporter(
  onError: ConsumeOptions["onError"],
  logger: Logger,
  unheard: ((error: unknown, info: UnheardError) => void) | undefined,
): ConsumeReporter {
  const report = (error: unknown, context: ConsumeErrorContext): void => {
    unheard?.(error, context);
    try {
      onError?.(error, context);
    } catch (callbackError) {
      logger.error(`awscreds/sqs: onError callback threw: ${describeError(callbackError)}`);
    }
  };
  const callback = <A extends unknown[]>(name: string, fn: ((...args: A) => void) | undefined, ...args: A): void => {
    try {
      fn?.(...args);
    } catch (error) {
      logger.error(`awscreds/sqs: ${name} callback threw: ${describeError(error)}`);
      report(error, { operation: "callback", kind: "transient" });
    }
  };
  return { report, callback };
}
