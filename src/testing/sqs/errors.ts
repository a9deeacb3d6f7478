/**
 * SQS errors in the AWS JSON 1.0 shape SQS answers with: a `__type` body plus the `x-amzn-query-error`
 * header, which is what `@aws-sdk/client-sqs` (an awsQueryCompatible client) reads first to pick the
 * exception class. So `QueueDoesNotExist` is thrown as `QueueDoesNotExist` with
 * `Code: "AWS.SimpleQueueService.NonExistentQueue"`, exactly as against AWS.
 */
import { FakeAwsError, type Reply } from "../core/fake-service.js";
import type { FaultError } from "../core/faults.js";

interface ErrorShape {
  /** The legacy Query error code carried in `x-amzn-query-error` (what `error.Code` shows). */
  queryCode: string;
  status: number;
  /** Modeled in the SQS service model (`com.amazonaws.sqs#Name`) or a common front-end error. */
  modeled: boolean;
}

const modeled = (queryCode: string, status: number): ErrorShape => ({ queryCode, status, modeled: true });
const common = (status: number, queryCode?: string): ErrorShape => ({ queryCode: queryCode ?? "", status, modeled: false });

/** Keyed by the exception name the SDK raises. */
const SHAPE_TABLE = {
  QueueDoesNotExist: modeled("AWS.SimpleQueueService.NonExistentQueue", 400),
  QueueNameExists: modeled("QueueAlreadyExists", 400),
  QueueDeletedRecently: modeled("AWS.SimpleQueueService.QueueDeletedRecently", 400),
  ReceiptHandleIsInvalid: modeled("ReceiptHandleIsInvalid", 404),
  InvalidAddress: modeled("InvalidAddress", 404),
  MessageNotInflight: modeled("AWS.SimpleQueueService.MessageNotInflight", 400),
  PurgeQueueInProgress: modeled("AWS.SimpleQueueService.PurgeQueueInProgress", 403),
  EmptyBatchRequest: modeled("AWS.SimpleQueueService.EmptyBatchRequest", 400),
  TooManyEntriesInBatchRequest: modeled("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400),
  BatchEntryIdsNotDistinct: modeled("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400),
  BatchRequestTooLong: modeled("AWS.SimpleQueueService.BatchRequestTooLong", 400),
  InvalidBatchEntryId: modeled("AWS.SimpleQueueService.InvalidBatchEntryId", 400),
  UnsupportedOperation: modeled("AWS.SimpleQueueService.UnsupportedOperation", 400),
  RequestThrottled: modeled("RequestThrottled", 403),
  OverLimit: modeled("OverLimit", 403),
  InvalidSecurity: modeled("InvalidSecurity", 403),
  InvalidAttributeName: modeled("InvalidAttributeName", 400),
  InvalidAttributeValue: modeled("InvalidAttributeValue", 400),
  InvalidMessageContents: modeled("InvalidMessageContents", 400),
  InvalidIdFormat: modeled("InvalidIdFormat", 400),
  InvalidParameterValue: common(400),
  MissingParameter: common(400),
  InvalidClientTokenId: common(403),
  SignatureDoesNotMatch: common(403),
  ExpiredToken: common(403),
  MissingAuthenticationToken: common(403),
  IncompleteSignature: common(400),
  AccessDenied: common(403),
  ThrottlingException: common(400),
  SerializationException: common(400),
  UnknownOperationException: common(400),
  InvalidAction: common(400),
  MissingAction: common(400),
  InternalFailure: common(500),
  ServiceUnavailable: common(503),
} satisfies Record<string, ErrorShape>;

/** The exception names this fake raises itself. */
export type SqsErrorName = keyof typeof SHAPE_TABLE;

const SHAPES: Readonly<Record<string, ErrorShape | undefined>> = SHAPE_TABLE;

/** Lets tests say `failNext(1, { code: "AWS.SimpleQueueService.NonExistentQueue" })` too. */
const BY_QUERY_CODE = new Map(
  Object.entries(SHAPES)
    .filter(([, shape]) => shape?.modeled === true)
    .map(([name, shape]) => [shape!.queryCode, name] as const),
);

/** Creates an SQS error by the SDK exception name, with SQS's HTTP status for it. */
export function sqsError(name: SqsErrorName, message: string): FakeAwsError {
  return new FakeAwsError(SHAPE_TABLE[name].status, name, message);
}

/** `InvalidParameterValue`, the error SQS uses for most bad inputs. */
export function invalidParameter(message: string): FakeAwsError {
  return sqsError("InvalidParameterValue", message);
}

/** Renders any error (from the service, the SigV4 verifier or a fault) as SQS's JSON error. */
export function renderSqsError(error: FaultError): Reply {
  const name = BY_QUERY_CODE.get(error.code) ?? error.code;
  const shape = SHAPES[name];
  const status = error.status;
  const queryCode = shape?.modeled ? shape.queryCode : name;
  const type = shape?.modeled ? `com.amazonaws.sqs#${name}` : `com.amazon.coral.service#${name}`;
  const body: Record<string, string> = { __type: type };
  if (error.message !== undefined && error.message !== "") body.message = error.message;
  return {
    status,
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amzn-query-error": `${queryCode};${status >= 500 ? "Receiver" : "Sender"}`,
    },
    body: JSON.stringify(body),
  };
}

/**
 * The code a Query client sees for an error (`<Code>` of `<ErrorResponse>`): the legacy Query code for the
 * modeled SQS errors (`QueueDoesNotExist` → `AWS.SimpleQueueService.NonExistentQueue`), the code itself otherwise.
 */
export function queryErrorCodeOf(code: string): string {
  const shape = SHAPES[BY_QUERY_CODE.get(code) ?? code];
  return shape?.modeled ? shape.queryCode : code;
}

/** A 200 with a body the SDK's JSON deserializer cannot parse (for `malformNext`). */
export function malformedSqsReply(): Reply {
  return {
    status: 200,
    headers: { "content-type": "application/x-amz-json-1.0" },
    body: '{"Messages": [{"MessageId": "truncat',
  };
}

/** Per-entry failure of a batch action, as SQS lists it under `Failed`. */
export interface BatchFailure {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

/** Turns an error thrown while handling one batch entry into its `Failed` entry. */
export function toBatchFailure(id: string, error: unknown): BatchFailure {
  if (error instanceof FakeAwsError) {
    const shape = SHAPES[error.code];
    return { Id: id, SenderFault: error.status < 500, Code: shape?.modeled ? shape.queryCode : error.code, Message: error.message };
  }
  return { Id: id, SenderFault: false, Code: "InternalError", Message: "fake SQS internal error" };
}
