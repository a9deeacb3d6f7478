/**
 * A queue's access policy as SQS reads it for a caller of another account: the `Policy` attribute (set
 * directly, or built by `AddPermission`) must have an `Allow` statement whose principal names the caller and
 * whose action covers the call, and no `Deny` statement that matches. Conditions are not evaluated (the fake
 * has no request context to test them against): a statement with a `Condition` is read as if it held.
 * The owner's own account needs no policy (IAM identity policies are out of the fakes' scope: everything is
 * allowed in one's own account).
 */
import { invalidParameter } from "./errors.js";

/** Who is calling, as a policy principal is matched against. */
export interface PolicyCaller {
  account: string;
  arn: string;
}

interface Statement {
  Sid?: unknown;
  Effect?: unknown;
  Principal?: unknown;
  Action?: unknown;
}

/** Batch actions are granted by their single-message permission, as SQS documents (`SendMessageBatch` → `SendMessage`). */
export function permissionFor(action: string): string {
  return action.endsWith("Batch") ? action.slice(0, -"Batch".length) : action;
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

function principalMatches(principal: unknown, caller: PolicyCaller): boolean {
  if (principal === "*") return true;
  if (typeof principal !== "object" || principal === null) return false;
  return asList((principal as Record<string, unknown>).AWS).some((p) => {
    if (p === "*") return true;
    if (typeof p !== "string") return false;
    if (/^\d{12}$/.test(p)) return p === caller.account;
    const root = /^arn:aws[a-z-]*:iam::(\d{12}):root$/.exec(p);
    if (root) return root[1] === caller.account;
    return p === caller.arn;
  });
}

function actionMatches(actions: unknown, permission: string): boolean {
  return asList(actions).some((a) => {
    if (typeof a !== "string") return false;
    const lower = a.toLowerCase();
    return lower === "*" || lower === "sqs:*" || lower === `sqs:${permission.toLowerCase()}`;
  });
}

function statementsOf(policy: string | undefined): Statement[] {
  if (policy === undefined || policy === "") return [];
  try {
    const parsed: unknown = JSON.parse(policy);
    if (typeof parsed !== "object" || parsed === null) return [];
    return asList((parsed as Record<string, unknown>).Statement).filter((s): s is Statement => typeof s === "object" && s !== null);
  } catch {
    return [];
  }
}

/**
 * Whether `policy` lets `caller` (of another account than the queue's) run `action` on the queue.
 *
 * @example
 * ```ts
 * policyAllows(queue.attributes.get("Policy"), { account: "111111111111", arn }, "SendMessageBatch"); // true if SendMessage is granted
 * ```
 */
export function policyAllows(policy: string | undefined, caller: PolicyCaller, action: string): boolean {
  const permission = permissionFor(action);
  const matching = statementsOf(policy).filter((s) => principalMatches(s.Principal, caller) && actionMatches(s.Action, permission));
  return matching.some((s) => s.Effect === "Allow") && !matching.some((s) => s.Effect === "Deny");
}

/** The actions AddPermission may grant (SQS refuses the others, and the batch forms are implied). */
const GRANTABLE = new Set(["*", "SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes", "GetQueueUrl", "ListDeadLetterSourceQueues", "PurgeQueue", "ListQueueTags"]);

/**
 * The `Policy` after `AddPermission`: one statement per label, in the shape SQS writes it (recorded from AWS
 * in LocalStack's `test_sqs_permission_lifecycle` snapshot: `Version` 2008-10-17, `Id` `<queue arn>/SQSDefaultPolicy`,
 * principals as account root ARNs, a single principal and action as strings, actions as `SQS:<Action>`).
 */
export function addPermission(policy: string | undefined, queueArn: string, label: string, accounts: readonly string[], actions: readonly string[]): string {
  const statements = statementsOf(policy);
  if (statements.some((s) => s.Sid === label)) throw invalidParameter(`Value ${label} for parameter Label is invalid. Reason: Already exists.`);
  for (const account of accounts) {
    if (!/^\d{12}$/.test(account)) throw invalidParameter(`Value [${account}] for parameter PrincipalId is invalid. Reason: Unable to verify.`);
  }
  for (const action of actions) {
    if (!GRANTABLE.has(action)) throw invalidParameter(`Value SQS:${action} for parameter ActionName is invalid. Reason: Please refer to the appropriate WSDL for a list of valid actions.`);
  }
  const partition = /^arn:([^:]+):/.exec(queueArn)?.[1] ?? "aws";
  const principals = accounts.map((a) => `arn:${partition}:iam::${a}:root`);
  const granted = actions.map((a) => `SQS:${a}`);
  const parsed = policy === undefined || policy === "" ? undefined : (JSON.parse(policy) as Record<string, unknown>);
  const document = parsed ?? { Version: "2008-10-17", Id: `${queueArn}/SQSDefaultPolicy` };
  document.Statement = [
    ...statements,
    {
      Sid: label,
      Effect: "Allow",
      Principal: { AWS: principals.length === 1 ? principals[0] : principals },
      Action: granted.length === 1 ? granted[0] : granted,
      Resource: queueArn,
    },
  ];
  return JSON.stringify(document);
}

/** The `Policy` after `RemovePermission` (undefined: no statement left, so the attribute goes away as in SQS). */
export function removePermission(policy: string | undefined, label: string): string | undefined {
  const statements = statementsOf(policy);
  if (!statements.some((s) => s.Sid === label)) throw invalidParameter(`Value ${label} for parameter Label is invalid. Reason: can't find label.`);
  const rest = statements.filter((s) => s.Sid !== label);
  if (rest.length === 0) return undefined;
  const document = JSON.parse(policy!) as Record<string, unknown>;
  document.Statement = rest;
  return JSON.stringify(document);
}
