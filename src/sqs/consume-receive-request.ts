/**
 * What `consume`'s receives ask for: the user's receive options, plus the attributes the consumer itself
 * needs — `MessageGroupId` (FIFO and capped groups), `ApproximateReceiveCount` (FIFO's poison guard) and
 * the producer's trace context (telemetry on), even when the user narrowed the lists.
 */
import type { ConsumeOptions, ResolvedConsumeOptions } from "./consume-options.js";
import { fifoSystemAttributeNames } from "./fifo-groups.js";
import { withReceiveCount } from "./poison-guard.js";
import type { ReceiveOptions } from "./receive-options.js";
import { traceMessageAttributeNames, traceSystemAttributeNames } from "./trace-receive-names.js";

export function consumeReceiveOptions(
  o: Pick<ResolvedConsumeOptions, "WaitTimeSeconds" | "VisibilityTimeout" | "MaxNumberOfMessages" | "fifo" | "maxConcurrencyPerGroup">,
  options: Pick<ConsumeOptions, "MessageAttributeNames" | "MessageSystemAttributeNames">,
  telemetryOn: boolean,
): ReceiveOptions {
  const systemNames = o.fifo
    ? withReceiveCount(fifoSystemAttributeNames(options.MessageSystemAttributeNames))
    : o.maxConcurrencyPerGroup !== undefined
      ? fifoSystemAttributeNames(options.MessageSystemAttributeNames)
      : options.MessageSystemAttributeNames;
  return {
    WaitTimeSeconds: o.WaitTimeSeconds,
    VisibilityTimeout: o.VisibilityTimeout,
    MaxNumberOfMessages: o.MaxNumberOfMessages,
    // With telemetry on, the producer's trace context is asked for even when the lists were narrowed.
    MessageAttributeNames: telemetryOn ? traceMessageAttributeNames(options.MessageAttributeNames) : options.MessageAttributeNames,
    MessageSystemAttributeNames: telemetryOn ? traceSystemAttributeNames(systemNames) : systemNames,
  };
}
