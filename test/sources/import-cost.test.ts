/**
 * Importing awscreds' sources and running the local chain loads no AWS SDK or Smithy package: the STS
 * client and the SDK's container/IMDS providers load on the deployed paths only, and
 * `@smithy/property-provider` (with much of `@smithy/core`) only when an error is built. Observed through
 * the file system: loading a package reads its files, whether by `import` or by `require`.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { watchFs } from "./support/fs-watch.js";

// Any access to an @aws-sdk file counts. For @smithy only reading a file does: awscreds resolves the name
// of @smithy/property-provider at import (a few stats) to know whether it was bundled, but loads nothing.
const sdkFiles = (accesses: readonly string[]): string[] =>
  accesses.filter((a) => a.includes("/node_modules/@aws-sdk/") || (a.includes("/node_modules/@smithy/") && /^(readFileUtf8|open|openFileHandle) /.test(a)));

describe("import cost", () => {
  it("a local-mode import and call loads no @aws-sdk or @smithy package; the deployed path loads the STS client on first fetch", async () => {
    const watch = watchFs(["/"]);
    let afterLocal: string[];
    const dir = await mkdtemp(join(tmpdir(), "awscreds-import-"));
    try {
      const sources = await import("../../src/sources/index.js");
      const local = sources.fromEnvGatedChain({ env: { APP_ENV: "local", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" } });
      await local();
      local.describe();
      const webIdentity = sources.fromRegionalWebIdentity({
        env: { AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/app", AWS_WEB_IDENTITY_TOKEN_FILE: join(dir, "token"), AWS_REGION: "eu-west-1" },
        endpoint: "http://127.0.0.1:1",
        retry: { maxAttempts: 1 },
      });
      webIdentity.describe();
      afterLocal = sdkFiles(watch.accesses);

      // Control: the first fetch loads the STS client (and then fails: nothing listens on port 1).
      await writeFile(join(dir, "token"), "header.payload.signature");
      await expect(webIdentity()).rejects.toThrow(/AssumeRoleWithWebIdentity/);
      webIdentity.destroy();
    } finally {
      watch.stop();
      await rm(dir, { recursive: true, force: true });
    }
    expect(afterLocal).toEqual([]);
    expect(sdkFiles(watch.accesses).some((a) => a.includes("/@aws-sdk/client-sts/"))).toBe(true);
  });
});
