/**
 * scripts/check-module-graph.mjs (part of `npm run check`): the repository's own src/ passes, and a tree with
 * an upward import, an import cycle or an unknown room fails with a line that says where and what to do.
 */
import { describe, expect, it } from "vitest";
import { runScript, tempTrees } from "./support.js";

const tree = tempTrees();

/** Runs the checker on a src/ tree made of the given files (path under src/ → source). */
async function check(files: Record<string, string>): Promise<{ code: number; out: string }> {
  const root = await tree(Object.fromEntries(Object.entries(files).map(([path, source]) => [`src/${path}`, source])));
  return runScript("check-module-graph.mjs", [`${root}/src`]);
}

describe("the module graph check", () => {
  it("passes on the repository's src/: no upward import, no cycle", async () => {
    const { code, out } = await runScript("check-module-graph.mjs");
    expect(out).toMatch(/no import cycle/);
    expect(code).toBe(0);
  });

  it("passes a tree whose rooms import only downwards, type-only imports included", async () => {
    const { code, out } = await check({
      "shared/env.ts": "export const x = 1;\n",
      "sts/region.ts": 'import { x } from "../shared/env.js";\nexport const y = x;\n',
      "sources/chain.ts": 'import type { y } from "../sts/region.js";\nexport type Z = typeof y;\n',
      "index.ts": 'export * from "./sources/chain.js";\n',
    });
    expect(out).toMatch(/4 files, 3 relative imports/);
    expect(code).toBe(0);
  });

  it("fails an import from a lower room into a higher one, naming the file, line and the way out", async () => {
    const { code, out } = await check({
      "sources/env.ts": "export const readVar = 1;\n",
      "sts/region.ts": '// the region\nimport type { readVar } from "../sources/env.js";\nexport type R = typeof readVar;\n',
    });
    expect(code).toBe(1);
    expect(out).toContain('src/sts/region.ts:2: sts/ imports "../sources/env.js" from sources/, a higher room');
    expect(out).toContain("move what both use to src/shared/");
  });

  it("fails an import cycle, type-only or not, and shows the circle", async () => {
    const { code, out } = await check({
      "testing/sqs/queue.ts": 'import { Set1 } from "./visible-set.js";\nexport interface QueueMessage { id: string }\nexport const s = Set1;\n',
      "testing/sqs/visible-set.ts": 'import type { QueueMessage } from "./queue.js";\nexport const Set1 = (m: QueueMessage) => m;\n',
    });
    expect(code).toBe(1);
    expect(out).toContain("import cycle: src/testing/sqs/queue.ts → src/testing/sqs/visible-set.ts → src/testing/sqs/queue.ts");
  });

  it("fails a folder that is not a room, and an import of the package entry from inside a room", async () => {
    const { code, out } = await check({
      "index.ts": "export const version = 1;\n",
      "cache/lru.ts": "export const lru = 1;\n",
      "sqs/consume.ts": 'import { version } from "../index.js";\nexport const v = version;\n',
    });
    expect(code).toBe(1);
    expect(out).toContain("src/cache/ is not a known room");
    expect(out).toContain("src/sqs/consume.ts:1: imports the package entry");
  });
});
