/**
 * Makes sure `dist/` reflects `src/` before the import-cost scenario measures what users load.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

function mtimeOrZero(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Runs `npm run build` when `dist/index.js` is missing or older than any file under `src/` (or the
 * package/build config). Returns whether it built.
 *
 * @example
 * ```ts
 * if (ensureBuilt(repoRoot, console.error)) console.error("rebuilt dist/");
 * ```
 */
export function ensureBuilt(root: string, log: (message: string) => void): boolean {
  const built = Math.min(mtimeOrZero(join(root, "dist/index.js")), mtimeOrZero(join(root, "dist/index.cjs")));
  const sources = Math.max(newestMtime(join(root, "src")), mtimeOrZero(join(root, "package.json")), mtimeOrZero(join(root, "tsup.config.ts")));
  if (built > 0 && built >= sources) return false;
  log("dist/ is missing or older than src/: running `npm run build`");
  execFileSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  return true;
}
