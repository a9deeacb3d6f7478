/**
 * The package version for `--version` and reports: read from the package's own package.json, found by
 * walking up from this module (the same code runs from src/ under tsx and from dist/ once built).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

function moduleDir(): string | undefined {
  // CJS builds have __filename; ESM has import.meta.url.
  if (typeof __filename === "string") return dirname(__filename);
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return undefined;
  }
}

/**
 * The awscreds version, or `"unknown"` if its package.json cannot be found.
 *
 * @example
 * ```ts
 * packageVersion(); // "0.1.0"
 * ```
 */
export function packageVersion(): string {
  if (cached !== undefined) return cached;
  let dir = moduleDir();
  for (let i = 0; dir !== undefined && i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (pkg.name === "awscreds" && typeof pkg.version === "string") return (cached = pkg.version);
    } catch {
      // No package.json here (or not ours): keep walking up.
    }
    const parent = dirname(dir);
    dir = parent === dir ? undefined : parent;
  }
  return (cached = "unknown");
}
