/**
 * Which of its two protocols an SQS request speaks, decided per request as SQS does: AWS JSON 1.0 when it
 * names its operation in `X-Amz-Target` or sends a JSON content type, the Query protocol (`Action=…` in
 * the query string or a form body) otherwise. Both end in the same action name and JSON input.
 */
import { FakeAwsError, type FakeRequest } from "../core/fake-service.js";
import { queryParams } from "../core/query-params.js";
import { headerValue } from "../core/sigv4-canonical.js";
import { sqsError } from "./errors.js";
import { isObject, type JsonObject } from "./input.js";
import { queryToJsonInput } from "./query-input.js";

export type SqsProtocol = "json" | "query";

const TARGET_PREFIX = "AmazonSQS.";

/** A request read off the wire: its protocol, action and input (or the error its input is). */
export interface SqsWireCall {
  protocol: SqsProtocol;
  /** `Unknown` when the request names none. */
  action: string;
  /** What the request named its action with (`X-Amz-Target` or `Action`), if anything. */
  named: string | undefined;
  input: JsonObject | FakeAwsError;
}

export function sqsProtocolOf(request: FakeRequest): SqsProtocol {
  if (headerValue(request.headers, "x-amz-target") !== undefined) return "json";
  return /^\s*application\/x-amz-json-/i.test(headerValue(request.headers, "content-type") ?? "") ? "json" : "query";
}

/** The request body as a JSON object, or the error SQS answers for a body that is not one. */
function parseJsonBody(body: string): JsonObject | FakeAwsError {
  if (body.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return sqsError("SerializationException", "Start of structure or map found where not expected.");
  }
  return isObject(value) ? value : sqsError("SerializationException", "Start of structure or map found where not expected.");
}

/** A Query request sent to the queue URL itself (`POST /ACCOUNT/NAME`) names its queue by the path. */
function queueUrlFromPath(request: FakeRequest): string | undefined {
  const path = request.url.pathname.replace(/\/{2,}/g, "/");
  return /^\/\d{12}\/[^/]+$/.test(path) ? `http://${request.host || "127.0.0.1"}${path}` : undefined;
}

export function readSqsCall(request: FakeRequest): SqsWireCall {
  if (sqsProtocolOf(request) === "json") {
    const target = headerValue(request.headers, "x-amz-target");
    const action = target?.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : "Unknown";
    return { protocol: "json", action, named: target, input: parseJsonBody(request.body) };
  }
  const params = queryParams(request);
  const named = params.get("Action") ?? undefined;
  const action = named === undefined || named === "" ? "Unknown" : named;
  let input: JsonObject | FakeAwsError;
  try {
    input = queryToJsonInput(action, params);
    const fromPath = queueUrlFromPath(request);
    if (input.QueueUrl === undefined && fromPath !== undefined) input.QueueUrl = fromPath;
  } catch (error) {
    if (!(error instanceof FakeAwsError)) throw error;
    input = error;
  }
  return { protocol: "query", action, named, input };
}

/** The error for an action SQS does not have, in the words of the protocol the request spoke. */
export function unknownAction(call: SqsWireCall): FakeAwsError {
  if (call.protocol === "query") {
    return call.named === undefined || call.named === ""
      ? sqsError("MissingAction", "The request must contain the parameter Action.")
      : sqsError("InvalidAction", `The action ${call.named} is not valid for this endpoint.`);
  }
  return sqsError("UnknownOperationException", `Unknown operation ${call.named ?? "(no X-Amz-Target header)"}.`);
}
