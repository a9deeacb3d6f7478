/**
 * The AWS error codes an error carries, normalized, so every classifier (SQS's, the credential-rejection
 * one) reads errors the same way whatever the protocol: AWS JSON (`__type` with a namespace), awsQuery
 * (`Code`, and the `x-amzn-query-error` header's `Code;Sender`), REST-XML (`name`/`Code`).
 */

/**
 * The error's codes without namespaces (`com.amazon.coral.service#`, `AWS.SimpleQueueService.`) or `Exception`.
 *
 * @example
 * ```ts
 * errorCodes(Object.assign(new Error("x"), { name: "ExpiredTokenException" })); // ["ExpiredToken"]
 * ```
 */
export function errorCodes(error: unknown): string[] {
  if (typeof error !== "object" || error === null) return [];
  const record = error as Record<string, unknown>;
  const raw = [record.name, record.Code, record.code, record.__type].filter((v): v is string => typeof v === "string");
  const codes = new Set<string>();
  for (const value of raw) {
    // `Code` may be "ExpiredToken;Sender" when taken from the awsQuery-compatible header.
    const head = value.split(";")[0] ?? value;
    const afterHash = head.slice(head.lastIndexOf("#") + 1);
    const afterDot = afterHash.slice(afterHash.lastIndexOf(".") + 1);
    codes.add(afterDot.replace(/Exception$/, ""));
  }
  return [...codes];
}
