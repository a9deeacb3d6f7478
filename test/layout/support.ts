/** Runs the repository's check scripts (scripts/*.mjs) on the real tree or on a temp tree a test writes. */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterEach } from "vitest";

const run = promisify(execFile);

export interface ScriptRun {
  code: number;
  out: string;
}

/** `node scripts/<name> …args`: its exit code and its stdout and stderr together. */
export async function runScript(name: string, args: string[] = []): Promise<ScriptRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(import.meta.dirname, "..", "..", "scripts", name), ...args]);
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

/** Temp trees for the calling file's tests, each removed after its test. */
export function tempTrees(): (files: Record<string, string>) => Promise<string> {
  const roots: string[] = [];
  afterEach(async () => {
    await Promise.all(roots.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async (files) => {
    const root = await mkdtemp(join(tmpdir(), "awscreds-layout-"));
    roots.push(root);
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
    return root;
  };
}
