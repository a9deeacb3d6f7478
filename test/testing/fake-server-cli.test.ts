/**
 * `awscreds fake`, built and run as a child process as a developer runs it: the banner with the
 * environment to export, every fake on its one port, a clean exit on SIGTERM; `--env` for eval; usage errors.
 */
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { buildCli, type BuiltCli } from "../cli/support/cli.js";
import { startFakeServerProcess } from "./support/fake-server-process.js";

let cli: BuiltCli;
beforeAll(async () => {
  cli = await buildCli();
}, 60_000);
afterAll(() => cli?.cleanup());

function captured(): { io: CliIo; out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return { io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {} }, out: () => out, err: () => err };
}

describe("awscreds fake (child process)", () => {
  it("serves STS and SQS on its port with the keys it prints, and exits 0 on SIGTERM", async () => {
    const server = await startFakeServerProcess(cli.path, ["--region", "eu-west-1", "--account", "210987654321"]);
    try {
      const env = Object.fromEntries([...server.output().matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]));
      expect(env).toMatchObject({ AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "eu-west-1", AWS_ENDPOINT_URL_SQS: server.endpoint, AWS_ACCESS_KEY_ID: "test" });
      const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! };
      const who = await new STSClient({ region: "eu-west-1", endpoint: env.AWS_ENDPOINT_URL_STS, credentials, maxAttempts: 1 }).send(new GetCallerIdentityCommand({}));
      expect(who.Account).toBe("210987654321");
      const { QueueUrl } = await new SQSClient({ region: "eu-west-1", endpoint: env.AWS_ENDPOINT_URL_SQS, credentials, maxAttempts: 1 }).send(new CreateQueueCommand({ QueueName: "cli" }));
      expect(QueueUrl).toBe(`${server.endpoint}/210987654321/cli`);
      expect((await fetch(`${server.endpoint}/_awscreds/health`)).status).toBe(200);
    } finally {
      const exit = await server.stop();
      expect(exit).toEqual({ code: 0, signal: null });
      expect(server.output()).toContain("awscreds fake: stopped");
    }
  });
});

describe("awscreds fake (in process)", () => {
  it("--env prints only the export lines for that port, to eval", async () => {
    const { io, out } = captured();
    expect(await main(["fake", "--env", "--port", "4599", "--region", "eu-central-1"], io)).toBe(0);
    expect(out()).toBe(
      [
        "export AWS_ACCESS_KEY_ID='test'",
        "export AWS_SECRET_ACCESS_KEY='test'",
        "export AWS_REGION='eu-central-1'",
        "export AWS_DEFAULT_REGION='eu-central-1'",
        "export AWS_ENDPOINT_URL='http://127.0.0.1:4599'",
        "export AWS_ENDPOINT_URL_STS='http://127.0.0.1:4599'",
        "export AWS_ENDPOINT_URL_SQS='http://127.0.0.1:4599'",
        "",
      ].join("\n"),
    );
  });

  it("accepts this shell's own keys too, stops when its signal aborts (Ctrl-C), and says why a busy port fails", async () => {
    const stop = new AbortController();
    const { io, out } = captured();
    const own = { accessKeyId: "AKIALOCALSTACKSTYLE1", secretAccessKey: "a-local-secret" };
    const running = main(["fake", "--port", "0"], { ...io, env: { AWS_ACCESS_KEY_ID: own.accessKeyId, AWS_SECRET_ACCESS_KEY: own.secretAccessKey }, signal: stop.signal });
    await expect.poll(() => out(), { timeout: 10_000 }).toContain("export AWS_ENDPOINT_URL=");
    expect(out()).toContain(`and so is ${own.accessKeyId}`);
    expect(out()).not.toContain(own.secretAccessKey);
    const endpoint = /^export AWS_ENDPOINT_URL='([^']+)'$/m.exec(out())![1];
    const who = await new STSClient({ region: "us-east-1", endpoint, credentials: own, maxAttempts: 1 }).send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe("arn:aws:iam::123456789012:user/local-user");
    stop.abort();
    expect(await running).toBe(0);

    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as { port: number }).port;
    const failed = captured();
    expect(await main(["fake", "--port", String(port)], failed.io)).toBe(1);
    expect(failed.err()).toContain(`port ${port} on 127.0.0.1 is in use`);
    await new Promise<void>((resolve) => busy.close(() => resolve()));
  });

  it("refuses bad options as usage errors", async () => {
    for (const args of [["--port", "70000"], ["--account", "12"], ["--region", "mars"], ["--env", "--port", "0"], ["--nope"]]) {
      const { io, err } = captured();
      expect(await main(["fake", ...args], io)).toBe(2);
      expect(err()).toContain("awscreds fake --help");
    }
  });
});
