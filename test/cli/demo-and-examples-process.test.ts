/**
 * `awscreds demo`, built, run to completion as a subprocess with a short duration; and every example
 * under examples/ run with `tsx` against the fakes, as the examples README tells users to.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANSI, buildCli, ROOT, runCli, SECRET_SHAPE, tempHome, type BuiltCli } from "./support/cli.js";

let cli: BuiltCli;
let home: ReturnType<typeof tempHome>;

beforeAll(async () => {
  cli = await buildCli();
  home = tempHome();
}, 60_000);

afterAll(() => {
  cli?.cleanup();
  home?.cleanup();
});

describe("awscreds demo", () => {
  it("--duration 5 runs to completion and exits 0 with periodic lines and a summary, even with AWS_* pointing elsewhere", async () => {
    const r = await runCli(
      cli.path,
      ["demo", "--duration", "5", "--rate", "20"],
      {
        HOME: home.home,
        // Whatever the shell exports must not matter: the demo only talks to its own fakes.
        AWS_REGION: "eu-west-1",
        AWS_ENDPOINT_URL: "http://192.0.2.1:9",
        AWS_PROFILE: "production",
        AWS_ACCESS_KEY_ID: "AKIASHELLSHELL000000",
        AWS_SECRET_ACCESS_KEY: "shell-secret",
        APP_ENV: "local",
      },
      { timeoutMs: 60_000 },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // Three sides, each labelled with what it runs: awscreds, the SDK's fromTokenFile, the SDK's default chain.
    for (const side of ["awscreds", "fromTokenFile", "default chain"]) {
      expect(r.stdout).toMatch(new RegExp(`\\[\\s*\\d+\\.\\d s\\] ${side}\\s+refreshes \\d+ · requests \\d+ · waited on STS \\d+ · p99 `));
    }
    expect(r.stdout).not.toContain("SDK default");
    expect(r.stdout).toMatch(/^ {2}fromTokenFile +the SDK's fromTokenFile\(\) behind the SQSClient's credential cache/m);
    expect(r.stdout).toMatch(/^ {2}default chain +the SDK's default chain, fromNodeProviderChain\(\)/m);
    expect(r.stdout).toContain("STS is down from here on: every call answers 503");
    expect(r.stdout).toContain("Summary after");
    for (const row of ["STS calls: first fetch + refreshes", "STS calls failed (STS down 2 s)", "SendMessage requests", "waited on STS (> 50 ms)", "credential wait p99 / max", "request p50 / p99", "messages consumed"]) {
      expect(r.stdout).toContain(row);
    }
    // No awscreds request failed, not even while STS was down; fromTokenFile's inline refreshes did fail then.
    const failed = /^\s+failed\s+(\d+)\s+(\d+)\s+(\d+)$/m.exec(r.stdout);
    expect(failed?.[1]).toBe("0");
    expect(Number(failed?.[2])).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/awscreds: .*while STS was down, no request failed/);
    // "Waited" is wall clock (credentials took > 50 ms): on a busy box a descheduled process can make even an
    // answer from memory look slow, so awscreds may show a stray one; the SDK's inline refreshes show many.
    const waited = /waited on STS \(> \d+ ms\)\s+(\d+) \([^)]*\)\s+(\d+) \([^)]*\)\s+(\d+)/.exec(r.stdout);
    const [ours, tokenFile] = [Number(waited?.[1]), Number(waited?.[2])];
    expect(ours).toBeLessThanOrEqual(5);
    expect(tokenFile).toBeGreaterThanOrEqual(Math.max(3, ours * 2));
    // Credentials were fetched more than once on every side before the outage.
    const fetches = /STS calls: first fetch \+ refreshes\s+1 \+ (\d+)\s+1 \+ (\d+)\s+1 \+ (\d+)/.exec(r.stdout);
    for (const n of [fetches?.[1], fetches?.[2], fetches?.[3]]) expect(Number(n)).toBeGreaterThanOrEqual(1);
    expect(r.all).not.toMatch(ANSI);
    expect(r.all).not.toMatch(SECRET_SHAPE);
    expect(r.all).not.toContain("FakeSessionToken");
  }, 90_000);

  it("--help and a bad value", async () => {
    const [help, bad] = await Promise.all([
      runCli(cli.path, ["demo", "--help"], { HOME: home.home }),
      runCli(cli.path, ["demo", "--duration", "0"], { HOME: home.home }),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--sts-latency <ms>");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--duration must be a number from 1 to 600 seconds");
  });
});

/** Every example: each must run against the fakes with one command and exit 0 by itself. */
const EXAMPLES: Record<string, RegExp> = {
  "eks-irsa.ts": /✓ web-identity: chosen[\s\S]*received 1 message/,
  "ecs-task-role.ts": /✓ container: chosen[\s\S]*sent with the task role's key ASIA/,
  "local-localstack.ts": /✓ env-keys: chosen[\s\S]*signed with access key "test"[\s\S]*without keys: Local mode/,
  "swap-roles.ts": /before: arn:aws:sts::\d+:assumed-role\/reports-reader\/[\s\S]*after: +arn:aws:sts::\d+:assumed-role\/reports-writer\//,
  "attach-client.ts": /library's client signed with ASIA\w+\n[\s\S]*after swap\(\) it signs with +ASIA\w+/,
  "sqs-consume.ts": /failed [\w-]+: payment service unavailable \(will be retried\)[\s\S]*processed 50, failed 1, deleted 50 in \d+ polls\nleft in the queue: 0\n/,
  "sqs-consumer.ts": /handled: welcome email, receipt email\nerrors: 0\n/,
  "regional-failover.ts": /STS failover: calls now go to[\s\S]*during the outage: \d+ credential resolutions, 0 failed; in use: http:\/\/127\.0\.0\.1:\d+\/[\s\S]*STS recovered: calls are back on[\s\S]*failed over: false\)\nbreakers: eu-west-1 closed, eu-central-1 closed\nSendMessage signed by ASIA\w+/,
  "sqs-fifo-dlq.ts":
    /receive 3 of c2's "\{not json" failed: SyntaxError\n[\s\S]*customer c1: created → paid → shipped\ncustomer c2: created → paid → shipped\ncustomer c3: created → paid → shipped\ndead-letter queue: "\{not json" from c2 after 3 receives\n/,
  "testing-quickstart.ts": /last SQS call signed by ASIA\w+\nrefresher status: ready\n/,
  "saas-tenants.ts":
    /acme: 100 requests, 1 AssumeRole, signed as arn:aws:sts::210987654321:assumed-role\/billing-api-access\/billing-api@acme\n[\s\S]*AccessDenied[\s\S]*sts:ExternalId condition equals "acme-typo"[\s\S]*cache: 3 roles, 3 STS calls, 3 misses, 198 coalesced, 200 hits, 20 refusals from the cache, 0 throttled\n/,
};

function runExample(file: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const tsx = join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
    const child = spawn(process.execPath, [tsx, join("examples", file)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home.home, AWS_EC2_METADATA_DISABLED: "true", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (output += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (output += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 45_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("examples", () => {
  it("every example under examples/ is run here and listed in examples/README.md with its command", () => {
    const files = readdirSync(join(ROOT, "examples")).filter((f) => f.endsWith(".ts")).sort();
    expect(Object.keys(EXAMPLES).sort()).toEqual(files);
    const readme = readFileSync(join(ROOT, "examples", "README.md"), "utf8");
    for (const file of files) expect(readme).toContain(`\`npx tsx examples/${file}\``);
  });

  for (const [file, expected] of Object.entries(EXAMPLES)) {
    it(`npx tsx examples/${file} runs against the fakes and exits 0`, async () => {
      const { code, output } = await runExample(file);
      expect(output).toMatch(expected);
      expect(code).toBe(0);
      expect(output).not.toContain("FakeSessionToken");
    }, 60_000);
  }
});
