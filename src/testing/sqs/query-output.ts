/**
 * The SQS Query protocol's answers: the JSON result of an action rendered as the XML SQS sends to Query
 * clients (AWS CLI v1/v2 before JSON, boto3 before 1.31, aws-sdk v2 before JSON SQS), and errors as
 * `<ErrorResponse>`. Generic like the input side: lists and maps whose element names differ from the JSON
 * member are listed, every other member becomes an element of its own name.
 */
import type { Reply } from "../core/fake-service.js";
import type { FaultError } from "../core/faults.js";
import { queryErrorCodeOf } from "./errors.js";
import type { JsonObject } from "./input.js";

export const SQS_XML_NAMESPACE = "https://queue.amazonaws.com/doc/2012-11-05/";

/** Flattened lists: JSON member → repeated element (`Successful` depends on the action). */
const LISTS: Readonly<Record<string, string>> = {
  Messages: "Message",
  QueueUrls: "QueueUrl",
  queueUrls: "QueueUrl",
  Failed: "BatchResultErrorEntry",
  Results: "ListMessageMoveTasksResultEntry",
  StringListValues: "StringListValue",
  BinaryListValues: "BinaryListValue",
};

/** Flattened maps: JSON member → repeated element with key and value children. */
const MAPS: Readonly<Record<string, { element: string; key: string; value: string }>> = {
  Attributes: { element: "Attribute", key: "Name", value: "Value" },
  MessageAttributes: { element: "MessageAttribute", key: "Name", value: "Value" },
  Tags: { element: "Tag", key: "Key", value: "Value" },
};

/** Actions whose Query answer has no `<…Result>` element at all (their model output is empty). */
const NO_RESULT = new Set([
  "DeleteMessage",
  "ChangeMessageVisibility",
  "DeleteQueue",
  "PurgeQueue",
  "SetQueueAttributes",
  "AddPermission",
  "RemovePermission",
  "TagQueue",
  "UntagQueue",
]);

/**
 * XML text. `\r` is written as a character reference: XML parsers turn a literal CR (and CRLF) into LF,
 * which would change a message body and break the client's MD5 check; SQS escapes it the same way.
 */
export function xmlText(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => (c === "\r" ? "&#xD;" : `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`));
}

function element(name: string, value: unknown, action: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return `<${name}>${xmlText(String(value))}</${name}>`;
  if (Array.isArray(value)) return value.map((item) => element(name, item, action)).join("");
  return `<${name}>${members(value as JsonObject, action)}</${name}>`;
}

function members(object: JsonObject, action: string): string {
  let out = "";
  for (const [name, value] of Object.entries(object)) {
    const map = MAPS[name];
    if (map !== undefined && typeof value === "object" && value !== null && !Array.isArray(value)) {
      for (const [key, entry] of Object.entries(value as JsonObject)) {
        out += `<${map.element}>${element(map.key, key, action)}${element(map.value, entry, action)}</${map.element}>`;
      }
      continue;
    }
    const listElement = name === "Successful" ? `${action}ResultEntry` : LISTS[name];
    out += Array.isArray(value) && listElement !== undefined ? element(listElement, value, action) : element(name, value, action);
  }
  return out;
}

/**
 * A successful Query answer: `<{Action}Response><{Action}Result>…</{Action}Result><ResponseMetadata>…`.
 *
 * @example
 * ```ts
 * renderQueryResult("GetQueueUrl", { QueueUrl: "http://127.0.0.1:4566/123456789012/jobs" }, requestId);
 * ```
 */
export function renderQueryResult(action: string, result: JsonObject, requestId: string): Reply {
  const body =
    `<?xml version="1.0"?><${action}Response xmlns="${SQS_XML_NAMESPACE}">` +
    (NO_RESULT.has(action) ? "" : `<${action}Result>${members(result, action)}</${action}Result>`) +
    `<ResponseMetadata><RequestId>${xmlText(requestId)}</RequestId></ResponseMetadata></${action}Response>`;
  return { status: 200, headers: { "content-type": "text/xml", "x-amzn-requestid": requestId }, body };
}

/** An error as SQS answers Query clients: `<ErrorResponse>` with `Sender`/`Receiver` and the Query error code. */
export function renderQueryError(error: FaultError, requestId: string): Reply {
  const body =
    `<?xml version="1.0"?><ErrorResponse xmlns="${SQS_XML_NAMESPACE}"><Error>` +
    `<Type>${error.status >= 500 ? "Receiver" : "Sender"}</Type>` +
    `<Code>${xmlText(queryErrorCodeOf(error.code))}</Code>` +
    `<Message>${xmlText(error.message ?? "")}</Message><Detail/></Error>` +
    `<RequestId>${xmlText(requestId)}</RequestId></ErrorResponse>`;
  return { status: error.status, headers: { "content-type": "text/xml", "x-amzn-requestid": requestId }, body };
}

/** A 200 the Query clients' XML parsers choke on (for `malformNext`). */
export function malformedQueryReply(action: string): Reply {
  return { status: 200, headers: { "content-type": "text/xml" }, body: `<?xml version="1.0"?><${action}Response xmlns="${SQS_XML_NAMESPACE}"><${action}Result><Mess` };
}
