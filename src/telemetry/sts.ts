/**
 * Telemetry of the STS transport: one CLIENT span per STS request (a child of the refresh span it runs
 * under), `awscreds.sts.requests` by method, endpoint and outcome, and `awscreds.sts.failovers`.
 */
import type { Attributes } from "@opentelemetry/api";
import { isRecord } from "../shared/is-record.js";
import { ATTR } from "./names.js";
import type { TelemetryOption } from "./options.js";
import { runInSpan } from "./run-in-span.js";
import { resolveTelemetry, type TelemetryScope } from "./scope.js";

/** The request id AWS returned, from an SDK output or error (`$metadata.requestId`). */
export function awsRequestId(value: unknown): string | undefined {
  if (!isRecord(value) || !isRecord(value.$metadata)) return undefined;
  const id = value.$metadata.requestId;
  return typeof id === "string" && id.length > 0 ? id : undefined;
}

export class StsTelemetry {
  constructor(private readonly scope: TelemetryScope) {}

  /**
   * Sends one STS request inside a CLIENT span `STS/<method>` (`rpc.system` = `aws-api`, `rpc.service` =
   * `STS`, `rpc.method`, `server.address`, `aws.request_id`) and counts it in `awscreds.sts.requests`.
   * `serverAddress` is the endpoint's host name (`sts.eu-west-1.amazonaws.com`), without scheme or port.
   */
  request<T>(method: string, serverAddress: string, send: () => Promise<T>): Promise<T> {
    const { api } = this.scope;
    const attributes: Attributes = {
      [ATTR.rpcSystem]: "aws-api",
      [ATTR.rpcService]: "STS",
      [ATTR.rpcMethod]: method,
      [ATTR.serverAddress]: serverAddress,
    };
    const active = api.context.active();
    const span = this.scope.tracer().startSpan(`STS/${method}`, { kind: api.SpanKind.CLIENT, attributes }, active);
    let requestId: string | undefined;
    const sendAndNote = async (): Promise<T> => {
      try {
        const output = await send();
        requestId = awsRequestId(output);
        return output;
      } catch (error) {
        requestId = awsRequestId(error);
        throw error;
      }
    };
    return runInSpan(api, span, active, sendAndNote, (end) => {
      if (requestId !== undefined) span.setAttribute(ATTR.awsRequestId, requestId);
      const counted: Attributes = {
        [ATTR.rpcMethod]: method,
        [ATTR.serverAddress]: serverAddress,
        [ATTR.outcome]: end.errorType === undefined ? "success" : "failure",
      };
      if (end.errorType !== undefined) counted[ATTR.errorType] = end.errorType;
      this.scope.instruments()?.stsRequests.add(1, counted);
    });
  }

  /**
   * Counts one switch away from a failing STS endpoint in `awscreds.sts.failovers`: `server.address` is
   * the endpoint now used, `awscreds.sts.failed_address` the one left. A return to the primary is not a
   * failover and is not counted.
   */
  failover(failedAddress: string, serverAddress: string): void {
    this.scope.instruments()?.stsFailovers.add(1, { [ATTR.serverAddress]: serverAddress, [ATTR.failedAddress]: failedAddress });
  }
}

/**
 * The STS transport's telemetry, or `undefined` when off.
 *
 * @example
 * ```ts
 * const telemetry = stsTelemetry(options.telemetry);
 * const output = await withStsTelemetry(telemetry, "AssumeRole", endpoint.hostname, () => client.send(command));
 * ```
 */
export function stsTelemetry(option: TelemetryOption | undefined): StsTelemetry | undefined {
  const scope = resolveTelemetry(option);
  return scope === undefined ? undefined : new StsTelemetry(scope);
}

/**
 * `send()` inside the STS CLIENT span and counter when telemetry is on, `send()` alone when off.
 *
 * @example
 * ```ts
 * await withStsTelemetry(this.telemetry, "AssumeRoleWithWebIdentity", "sts.eu-west-1.amazonaws.com", () => client.send(command));
 * ```
 */
export function withStsTelemetry<T>(telemetry: StsTelemetry | undefined, method: string, serverAddress: string, send: () => Promise<T>): Promise<T> {
  return telemetry === undefined ? send() : telemetry.request(method, serverAddress, send);
}
