/**
 * The SQS Query protocol's form parameters (`Action=SendMessage&MessageAttribute.1.Name=…`) turned into the
 * AWS JSON 1.0 input the action handlers take, so one queue engine serves both protocols.
 *
 * The mapping is generic: every parameter becomes a member of the same name, `a.b` a nested structure,
 * `a.1` a list. Only the members whose Query name differs from the JSON one (flattened lists and maps,
 * named after their element in the Query-era service model) and the integers (Query sends text) are listed.
 * A member not listed (`MessageGroupId`, `MessageDeduplicationId`, anything new) flows through as a string.
 */
import { invalidParameter, sqsError } from "./errors.js";
import type { JsonObject } from "./input.js";

/** Flattened lists: Query element name → JSON member. `*BatchRequestEntry` lists are `Entries`. */
const LISTS: Readonly<Record<string, string>> = {
  AttributeName: "AttributeNames",
  MessageAttributeName: "MessageAttributeNames",
  MessageSystemAttributeName: "MessageSystemAttributeNames",
  AWSAccountId: "AWSAccountIds",
  ActionName: "Actions",
  TagKey: "TagKeys",
  StringListValue: "StringListValues",
  BinaryListValue: "BinaryListValues",
};

/** Flattened maps: Query element name → JSON member, and the names of the key and value elements. */
const MAPS: Readonly<Record<string, { member: string; key: string; value: string }>> = {
  Attribute: { member: "Attributes", key: "Name", value: "Value" },
  MessageAttribute: { member: "MessageAttributes", key: "Name", value: "Value" },
  MessageSystemAttribute: { member: "MessageSystemAttributes", key: "Name", value: "Value" },
  Tag: { member: "Tags", key: "Key", value: "Value" },
};

/** Members the JSON handlers read as integers (every integer input member of the SQS model). */
const INTEGERS = new Set(["DelaySeconds", "MaxNumberOfMessages", "MaxResults", "MaxNumberOfMessagesPerSecond", "VisibilityTimeout", "WaitTimeSeconds"]);

/** Members that are not the model's usual spelling in JSON, per action (CreateQueue's map is `tags`). */
const ACTION_RENAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  CreateQueue: { Tags: "tags" },
};

/** A parameter tree: `a.b.1.c=v` → `{ a: { b: { 1: { c: "v" } } } }`. */
interface Tree {
  [segment: string]: Tree | string;
}

function toTree(params: Iterable<[string, string]>): Tree {
  const root: Tree = {};
  for (const [name, value] of params) {
    const segments = name.split(".");
    let node = root;
    for (const [i, segment] of segments.entries()) {
      if (i === segments.length - 1) {
        // A parameter repeated (or also used as a prefix) keeps its first value, as AWS front ends do.
        if (node[segment] === undefined) node[segment] = value;
        continue;
      }
      const next = node[segment];
      if (typeof next === "object") node = next;
      else {
        const child: Tree = {};
        node[segment] = child;
        node = child;
      }
    }
  }
  return root;
}

const isIndex = (segment: string): boolean => /^[1-9]\d*$/.test(segment);

/** `{1: a, 2: b}` (or `{member: {1: a}}`) as a list in index order; `undefined` when `node` is not one. */
function asList(node: Tree | string): (Tree | string)[] | undefined {
  if (typeof node !== "object") return undefined;
  const inner = node.member ?? node.entry;
  const source = inner !== undefined && typeof inner === "object" && Object.keys(node).length === 1 ? inner : node;
  const keys = Object.keys(source);
  if (keys.length === 0 || !keys.every(isIndex)) return undefined;
  return keys.sort((a, b) => Number(a) - Number(b)).map((k) => source[k]!);
}

function convertValue(name: string, node: Tree | string): unknown {
  if (typeof node === "string") {
    if (!INTEGERS.has(name)) return node;
    if (!/^-?\d+$/.test(node.trim())) throw invalidParameter(`Value ${node} for parameter ${name} is invalid. Reason: Must be an integer.`);
    return Number(node);
  }
  const list = asList(node);
  if (list !== undefined) return list.map((item) => convertValue(name, item));
  return convertStructure(node);
}

function convertStructure(tree: Tree, renames: Readonly<Record<string, string>> = {}): JsonObject {
  const out: JsonObject = {};
  for (const [name, node] of Object.entries(tree)) {
    const map = MAPS[name];
    if (map !== undefined) {
      const entries = asList(node) ?? [];
      const result: JsonObject = {};
      for (const entry of entries) {
        if (typeof entry !== "object") continue;
        const key = entry[map.key];
        if (typeof key !== "string") throw sqsError("MissingParameter", `The request must contain the parameter ${name}.N.${map.key}.`);
        const value = entry[map.value];
        result[key] = value === undefined ? undefined : typeof value === "string" ? value : convertStructure(value);
      }
      out[renames[map.member] ?? map.member] = result;
      continue;
    }
    const listName = LISTS[name] ?? (name.endsWith("BatchRequestEntry") ? "Entries" : undefined);
    if (listName !== undefined) {
      out[renames[listName] ?? listName] = (asList(node) ?? [node]).map((item) => convertValue(name, item));
      continue;
    }
    out[renames[name] ?? name] = convertValue(name, node);
  }
  return out;
}

/**
 * The JSON input of a Query request, from its parameters (query string and form body together),
 * without `Action` and `Version`.
 *
 * @example
 * ```ts
 * queryToJsonInput("SendMessage", new URLSearchParams("MessageBody=hi&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=x"));
 * // { MessageBody: "hi", MessageAttributes: { a: { DataType: "String", StringValue: "x" } } }
 * ```
 */
export function queryToJsonInput(action: string, params: Iterable<[string, string]>): JsonObject {
  // Query-string signatures (`X-Amz-Signature`, …) authenticate the request; they are not its input.
  const tree = toTree([...params].filter(([name]) => !/^x-amz-/i.test(name)));
  delete tree.Action;
  delete tree.Version;
  return convertStructure(tree, ACTION_RENAMES[action]);
}
