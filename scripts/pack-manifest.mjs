#!/usr/bin/env node
/**
 * The package.json that ships carries no install-time script. npm 11 counts `prepare` as one for every
 * install that is not from a registry (a tarball, a git URL, a folder): `npm install --strict-allow-scripts
 * awscreds-x.y.z.tgz` refuses a package whose manifest has it, though npm would never run it for a tarball
 * (arborist runs `prepare` only for links; pacote runs it only in its own clone of a git dependency).
 *
 * So `prepare` stays in the repository — a git install needs it: pacote builds dist/ by it — and is taken
 * out of the manifest that `npm pack` / `npm publish` put in the tarball:
 *   prepack:  node scripts/pack-manifest.mjs strip     (after the build; keeps the exact bytes aside)
 *   postpack: node scripts/pack-manifest.mjs restore
 * A pack that dies in between leaves the copy aside; the next `strip` refuses until `restore` has run.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const manifest = join(root, "package.json");
const aside = join(root, "node_modules", ".cache", "awscreds-pack", "package.json");

const command = process.argv[2];
if (command === "strip") {
  if (existsSync(aside)) {
    console.error(`pack-manifest: ${aside} exists: a pack did not finish. Run \`node scripts/pack-manifest.mjs restore\` first.`);
    process.exit(1);
  }
  const text = readFileSync(manifest, "utf8");
  const pkg = JSON.parse(text);
  mkdirSync(dirname(aside), { recursive: true });
  writeFileSync(aside, text);
  // prepack and postpack go too: they need this repository (scripts/ does not ship).
  for (const name of ["prepare", "prepack", "postpack"]) delete pkg.scripts[name];
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
} else if (command === "restore") {
  if (existsSync(aside)) renameSync(aside, manifest);
} else {
  console.error("usage: node scripts/pack-manifest.mjs strip|restore");
  process.exit(2);
}
