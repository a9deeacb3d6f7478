/**
 * `awscreds fake`: the fakes as a standalone server on one port (STS, SQS, IMDS and the container endpoint),
 * a LocalStack replacement for STS and SQS. Runs until Ctrl-C or SIGTERM, then closes cleanly.
 */
import { numberOption, parseCommandArgs } from "../args.js";
import { FAKE_HELP } from "../help.js";
import type { CliIo } from "../io.js";
import { EXIT, UsageError } from "../usage-error.js";
import { exportLines, FAKE_SERVER_KEYS, fakeServerEnv, localEndpoint } from "./server-env.js";

/**
 * Runs `awscreds fake` with `argv` (the arguments after `fake`); resolves when the server has stopped.
 *
 * @example
 * ```ts
 * const code = await runFake(["--port", "4566"], processIo(abort.signal));
 * ```
 */
export async function runFake(argv: readonly string[], io: CliIo): Promise<number> {
  const values = parseCommandArgs("fake", argv, {
    port: { type: "string" },
    host: { type: "string" },
    region: { type: "string" },
    account: { type: "string" },
    env: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout.write(FAKE_HELP);
    return EXIT.OK;
  }
  const port = numberOption("fake", "--port", values.port, { fallback: 4566, min: 0, max: 65_535 });
  if (!Number.isInteger(port)) throw new UsageError(`--port must be a whole number, got "${values.port}"`, "fake");
  const host = values.host ?? "127.0.0.1";
  const region = values.region ?? "us-east-1";
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new UsageError(`--region must be an AWS region such as us-east-1, got "${region}"`, "fake");
  const accountId = values.account ?? "123456789012";
  if (!/^\d{12}$/.test(accountId)) throw new UsageError(`--account must be a 12-digit account id, got "${accountId}"`, "fake");

  if (values.env) {
    if (port === 0) throw new UsageError("--env needs the port the server listens on: give --port (not 0)", "fake");
    io.stdout.write(exportLines(fakeServerEnv(localEndpoint(host, port), region)));
    return EXIT.OK;
  }

  // Loaded here: the rest of the CLI must not pay for the fakes.
  const { startFakeAws } = await import("../../testing/fake-aws.js");
  let fake;
  try {
    fake = await startFakeAws({ port, host, region, accountId });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      io.stderr.write(`awscreds fake: port ${port} on ${host} is in use (LocalStack still running?). Stop it, or choose another with --port.\n`);
      return EXIT.FAILURE;
    }
    throw error;
  }
  fake.registerStaticKeys({ ...FAKE_SERVER_KEYS, arn: `arn:aws:iam::${accountId}:user/fake-user` });
  // The keys already in this shell (a LocalStack setup's, say) work too, so nothing else has to change.
  const ownKeyId = io.env.AWS_ACCESS_KEY_ID;
  const ownSecret = io.env.AWS_SECRET_ACCESS_KEY;
  const ownKeys = ownKeyId && ownSecret && ownKeyId !== FAKE_SERVER_KEYS.accessKeyId ? ownKeyId : undefined;
  if (ownKeys !== undefined) fake.registerStaticKeys({ accessKeyId: ownKeys, secretAccessKey: ownSecret!, arn: `arn:aws:iam::${accountId}:user/local-user` });
  const endpoint = localEndpoint(host, fake.endpoint === undefined ? port : Number(new URL(fake.endpoint).port));
  io.stdout.write(
    `awscreds fake: STS and SQS on ${endpoint} (account ${accountId}, region ${region}); IMDS at ${endpoint}/latest/, ` +
      `the container endpoint at ${fake.container.credentialsUrl.replace(/^http:\/\/[^/]+/, endpoint)}\n` +
      `health: ${endpoint}/_awscreds/health. Keys test/test are accepted${ownKeys === undefined ? "" : `, and so is ${ownKeys} (this shell's AWS_ACCESS_KEY_ID)`}. Stop with Ctrl-C or SIGTERM.\n` +
      exportLines(fakeServerEnv(endpoint, region)),
  );

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off("SIGTERM", stop);
      io.signal?.removeEventListener("abort", stop);
      resolve();
    };
    process.once("SIGTERM", stop);
    if (io.signal?.aborted) stop();
    io.signal?.addEventListener("abort", stop, { once: true });
  });
  await fake.close();
  io.stdout.write("awscreds fake: stopped\n");
  return EXIT.OK;
}
