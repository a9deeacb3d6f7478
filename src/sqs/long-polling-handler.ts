/**
 * The long-polling client's own `NodeHttpHandler`: it applies, per request, the timeout that the
 * long-poll middleware worked out from the command (`WaitTimeSeconds` + grace for `ReceiveMessage`),
 * and a short one for every other call. A subclass rather than a wrapper, so the SDK still sees a
 * `NodeHttpHandler` (socket-usage warnings, `destroy()`, logger wiring all keep working).
 */
import { NodeHttpHandler, type NodeHttpHandlerOptions } from "@smithy/node-http-handler";
import type { HttpHandlerOptions } from "@smithy/types";
import type { Logger } from "../shared/logger.js";

type HandleRequest = Parameters<NodeHttpHandler["handle"]>[0];

/** What the handler needs once the base client's settings have been read. */
export interface ResolvedHandlerSetup {
  options: NodeHttpHandlerOptions;
  /** Timeout for calls other than ReceiveMessage on this client (e.g. sqs-consumer's deletes), ms. */
  otherRequestTimeoutMs: number;
}

/** Settings a live client must not change on this handler: they are what keeps long polls alive. */
const PROTECTED_KEYS = new Set<PropertyKey>(["requestTimeout", "socketTimeout", "throwOnRequestTimeout"]);

export class LongPollingHttpHandler extends NodeHttpHandler {
  readonly #receiveTimeouts = new WeakMap<object, number>();
  readonly #setup: Promise<ResolvedHandlerSetup>;
  readonly #logger: Logger;

  constructor(setup: () => Promise<ResolvedHandlerSetup>, logger: Logger) {
    // One shared promise: NodeHttpHandler calls the provider once, and handle() needs the same answer.
    const shared = setup();
    super(async () => (await shared).options);
    this.#setup = shared;
    this.#logger = logger;
  }

  /** Called by the long-poll middleware with the exact request object this handler will receive. */
  boundReceive(request: object, timeoutMs: number): void {
    this.#receiveTimeouts.set(request, timeoutMs);
  }

  override async handle(request: HandleRequest, options: HttpHandlerOptions = {}): ReturnType<NodeHttpHandler["handle"]> {
    const receiveBound = this.#receiveTimeouts.get(request);
    const callerTimeout = typeof options.requestTimeout === "number" && options.requestTimeout > 0 ? options.requestTimeout : undefined;
    let requestTimeout: number;
    if (receiveBound !== undefined) {
      // A caller may lengthen a long poll's bound, never shorten it below the wait.
      requestTimeout = Math.max(receiveBound, callerTimeout ?? 0);
    } else {
      requestTimeout = callerTimeout ?? (await this.#setup).otherRequestTimeoutMs;
    }
    return super.handle(request, { ...options, requestTimeout });
  }

  override updateHttpClientConfig(key: keyof NodeHttpHandlerOptions, value: NodeHttpHandlerOptions[typeof key]): void {
    if (PROTECTED_KEYS.has(key)) {
      this.#logger.warn(
        `awscreds/sqs: ignoring ${String(key)} on the long-polling client's handler; it bounds ReceiveMessage at ` +
          "WaitTimeSeconds + grace by itself, and a handler-wide timeout would cut long polls short.",
      );
      return;
    }
    super.updateHttpClientConfig(key, value);
  }
}
