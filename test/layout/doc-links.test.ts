/**
 * scripts/check-doc-links.mjs (part of `npm run check`): the repository's README and guides link only to files
 * and headings that exist; a link to a moved guide or a renamed section fails with where it is.
 */
import { describe, expect, it } from "vitest";
import { runScript, tempTrees } from "./support.js";

const tree = tempTrees();

/** Runs the checker on a repository made of the given files (README.md, docs/…). */
async function check(files: Record<string, string>): Promise<{ code: number; out: string }> {
  return runScript("check-doc-links.mjs", [await tree({ "docs/.keep": "", ...files })]);
}

describe("the doc link check", () => {
  it("passes on the repository's README.md and docs/", async () => {
    const { code, out } = await runScript("check-doc-links.mjs");
    expect(out).toMatch(/relative links of README\.md and \d+ guides resolve/);
    expect(code).toBe(0);
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
