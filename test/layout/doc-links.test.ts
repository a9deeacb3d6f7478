/**
 * scripts/check-doc-links.mjs (part of `npm run check`): the repository's README and guides link only to files
 * and headings that exist; a link to a moved guide or a renamed section fails with where it is.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";

const run = promisify(execFile);
const CHECKER = join(import.meta.dirname, "..", "..", "scripts", "check-doc-links.mjs");
const temps: string[] = [];

async function check(files: Record<string, string>): Promise<{ code: number; out: string }> {
  const root = await mkdtemp(join(tmpdir(), "awscreds-links-"));
  temps.push(root);
  await mkdir(join(root, "docs"));
  for (const [path, text] of Object.entries(files)) await writeFile(join(root, path), text);
  try {
    const { stdout, stderr } = await run(process.execPath, [CHECKER, root]);
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("the doc link check", () => {
  it("passes on the repository's README.md and docs/", async () => {
    const { stdout } = await run(process.execPath, [CHECKER]);
    expect(stdout).toMatch(/relative links of README\.md and \d+ guides resolve/);
  });

  it("follows files and GitHub's heading anchors, repeated headings and code spans included", async () => {
    const { code, out } = await check({
      "README.md": "# awscreds\n\n[guide](docs/sqs.md#consumeoptions) · [again](docs/sqs.md#faq-1) · [here](#awscreds)\n\n`[not](a-link.md)`\n",
      "docs/sqs.md": "# SQS\n\n## `consume(options)`\n\n## FAQ\n\n## FAQ\n\n[back](../README.md#awscreds)\n\n```md\n[in code](nowhere.md)\n```\n",
    });
    expect(out).toContain("4 relative links of README.md and 1 guides resolve");
    expect(code).toBe(0);
  });

  it("fails a link to a missing file or heading, saying which", async () => {
    const { code, out } = await check({
      "README.md": "[moved](docs/refresh.md) · [renamed](docs/sqs.md#fifo-queues)\n",
      "docs/sqs.md": "# SQS\n\n## FIFO queues and dead-letter queues\n",
    });
    expect(code).toBe(1);
    expect(out).toContain("README.md: (docs/refresh.md) names docs/refresh.md, which does not exist");
    expect(out).toContain("README.md: (docs/sqs.md#fifo-queues): docs/sqs.md has no heading with the anchor #fifo-queues");
  });
});
