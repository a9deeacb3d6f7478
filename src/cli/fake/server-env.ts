/**
 * The environment that points an application at `awscreds fake`: the same in the running server's banner
 * and in `awscreds fake --env` (which prints it without starting anything, for `eval`).
 */

/** The static keys the server accepts from anyone, as LocalStack's `test`/`test` (see docs/testing.md). */
export const FAKE_SERVER_KEYS = { accessKeyId: "test", secretAccessKey: "test" } as const;

/**
 * Variables for a client of the single-port fake at `endpoint`. `AWS_ENDPOINT_URL` covers every service of
 * clients that read it; the per-service ones are there for the tools that read only those.
 *
 * @example
 * ```ts
 * fakeServerEnv("http://127.0.0.1:4566", "us-east-1").AWS_ENDPOINT_URL_SQS; // "http://127.0.0.1:4566"
 * ```
 */
export function fakeServerEnv(endpoint: string, region: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: FAKE_SERVER_KEYS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_SERVER_KEYS.secretAccessKey,
    AWS_REGION: region,
    // botocore (boto3, the AWS CLI) reads only this one.
    AWS_DEFAULT_REGION: region,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ENDPOINT_URL_STS: endpoint,
    AWS_ENDPOINT_URL_SQS: endpoint,
  };
}

/** `export NAME='value'` lines a POSIX shell can `eval` (values single-quoted, quotes escaped). */
export function exportLines(vars: Readonly<Record<string, string>>): string {
  return Object.entries(vars)
    .map(([name, value]) => `export ${name}='${value.replace(/'/g, `'\\''`)}'\n`)
    .join("");
}

/** The URL clients on this machine reach a server listening on `host`:`port` by. */
export function localEndpoint(host: string, port: number): string {
  const reachable = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return `http://${reachable}:${port}`;
}
