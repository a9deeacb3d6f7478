/**
 * What a `logger: console` user reads when the deployed chain fails: the error once (not the source's copy
 * and then the chain's), and never the SDK's "using v1 fallback" right before awscreds says it never falls
 * back to IMDSv1. Also the APP_ENV near-miss warning at construction.
 */
import { createServer } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fromEnvGatedChain } from "../../src/sources/chain.js";
import { IMDS_V1_RELABEL } from "../../src/sources/imds-logger.js";
import { isolateEnv, rejection } from "./support/env.js";

let restoreEnv: () => void;
let closedEndpoint: string;

/** A loopback port nothing listens on: the IMDSv2 token request is refused, as off EC2. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeEach(async () => {
  closedEndpoint = `http://127.0.0.1:${await closedPort()}`;
  restoreEnv = isolateEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: closedEndpoint });
  delete process.env.AWS_EC2_METADATA_DISABLED;
});
afterEach(() => restoreEnv());

function recordingLogger(): { lines: string[]; logger: { debug(...a: unknown[]): void; info(...a: unknown[]): void; warn(...a: unknown[]): void; error(...a: unknown[]): void } } {
  const lines: string[] = [];
  const push = (level: string) => (...content: unknown[]) => void lines.push(`${level} ${content.map(String).join(" ")}`);
  return { lines, logger: { debug: push("debug"), info: push("info"), warn: push("warn"), error: push("error") } };
}

describe("deployed chain logging", () => {
  it("an instance-metadata failure is logged once, and the SDK's IMDSv1-fallback line is relabelled", async () => {
    const { lines, logger } = recordingLogger();
    const chain = fromEnvGatedChain({
      env: { APP_ENV: "production", AWS_REGION: "eu-west-1", AWS_EC2_METADATA_SERVICE_ENDPOINT: closedEndpoint },
      logger,
      instanceMetadata: { timeoutMs: 200, maxRetries: 0 },
    });
    const error = await rejection(() => chain());
    expect(error.message).toContain("awscreds never falls back to IMDSv1");
    // The failure's text appears in exactly one log line (the chain's, with its context).
    const failure = "gave no credentials: the IMDSv2 session token request";
    expect(lines.filter((line) => line.includes(failure))).toHaveLength(1);
    expect(lines.find((line) => line.includes(failure))).toContain("Other sources:");
    // Nothing says the SDK is "using v1 fallback"; what happened is said instead.
    expect(lines.filter((line) => /using v1 fallback/i.test(line))).toEqual([]);
    expect(lines.filter((line) => /AWS_EC2_METADATA_V1_DISABLED not set/.test(line))).toEqual([]);
    expect(lines).toContain(`debug ${IMDS_V1_RELABEL}`);
  });
});

describe("APP_ENV near-miss", () => {
  it("APP_ENV=prod warns at construction: did you mean production? (local names do not)", () => {
    const { lines, logger } = recordingLogger();
    fromEnvGatedChain({ env: { APP_ENV: "prod" }, logger });
    expect(lines).toEqual([expect.stringContaining('warn awscreds: APP_ENV="prod" is not a deployed environment name (production, staging, integration), so this is local mode: did you mean production?')]);
    const quiet = recordingLogger();
    fromEnvGatedChain({ env: { APP_ENV: "local" }, logger: quiet.logger });
    fromEnvGatedChain({ env: { APP_ENV: "Production" }, logger: quiet.logger });
    expect(quiet.lines).toEqual([]);
  });

  it("the local-mode error for missing keys says it too", async () => {
    const error = await rejection(() => fromEnvGatedChain({ env: { APP_ENV: "Prod" } })());
    expect(error.message).toContain("did you mean production?");
  });
});
