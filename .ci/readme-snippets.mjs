#!/usr/bin/env node
// Checks every TypeScript snippet of README.md as a user would meet it, from an app that installed awscreds
// (from git or a tarball): each ```ts block becomes a module that must type-check (strict, module node16,
// against the installed package's types), and a block preceded by `<!-- snippet: run [VAR=value …] -->` must
// also run as a plain .mjs file on this Node (no TypeScript involved) and exit 0.
//
// Names a fragment uses without defining them (queueUrl, a logger…) are declared once, with real types, in
// .ci/readme-snippets.d.ts. A new snippet that uses a new free name fails here with TS2304/TS2552: declare it
// there (or make the snippet self-contained).
//
// Usage: node .ci/readme-snippets.mjs <README.md> <app dir with awscreds installed>
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const [readmeArg, appArg] = process.argv.slice(2);
if (!readmeArg || !appArg) {
  console.error("usage: node .ci/readme-snippets.mjs <README.md> <app dir>");
  process.exit(2);
}
const readme = resolve(readmeArg);
const app = resolve(appArg);
const here = dirname(fileURLToPath(import.meta.url));

/** Fenced ```ts blocks (indented ones too, as inside a list), with their line and run marker. */
function extract(text) {
  const lines = text.split("\n");
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(ts|typescript)\s*$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const body = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]); j++) body.push(lines[j].slice(Math.min(indent, lines[j].search(/\S|$/))));
    const marker = /^\s*<!--\s*snippet:\s*run\b(.*?)-->\s*$/.exec(lines[i - 1] ?? "");
    const env = marker ? Object.fromEntries(marker[1].trim().split(/\s+/).filter(Boolean).map((kv) => kv.split(/=(.*)/s).slice(0, 2))) : undefined;
    blocks.push({ line: i + 1, code: body.join("\n"), run: marker !== null, env });
    i = j;
  }
  return blocks;
}

const blocks = extract(readFileSync(readme, "utf8"));
if (blocks.length === 0) throw new Error(`no \`\`\`ts snippets found in ${readme}`);
const dir = join(app, "readme-snippets");
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
// ESM, as top-level await in the snippets needs; the app itself may be CommonJS.
writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
copyFileSync(join(here, "readme-snippets.d.ts"), join(dir, "globals.d.ts"));
const fileOf = (b) => `readme-line-${String(b.line).padStart(4, "0")}.ts`;
for (const b of blocks) writeFileSync(join(dir, fileOf(b)), `${b.code}\nexport {};\n`);
writeFileSync(
  join(dir, "tsconfig.json"),
  JSON.stringify(
    {
      compilerOptions: {
        target: "ES2022",
        lib: ["ES2023", "esnext.disposable"],
        module: "node16",
        moduleResolution: "node16",
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ["node"],
      },
      include: ["*.ts"],
    },
    null,
    2,
  ),
);

// 1. Type-check every snippet; map each error back to its README line.
const tsc = spawnSync(process.execPath, [join(app, "node_modules", "typescript", "bin", "tsc"), "-p", dir, "--pretty", "false"], { encoding: "utf8" });
const errors = `${tsc.stdout}${tsc.stderr}`.trim();
if (tsc.status !== 0) {
  const byFile = new Map(blocks.map((b) => [fileOf(b), b]));
  for (const line of errors.split("\n")) {
    const m = /^(.*?readme-line-\d+\.ts)\((\d+),(\d+)\): (.*)$/.exec(line);
    const block = m && byFile.get(m[1].split("/").at(-1));
    console.error(block ? `README.md:${block.line + Number(m[2])}:${m[3]}: ${m[4]}` : line);
  }
  console.error(`readme snippets: type errors (snippets are in ${relative(process.cwd(), dir)}; free names go in .ci/readme-snippets.d.ts)`);
  process.exit(1);
}
console.log(`readme snippets: ${blocks.length} TypeScript snippets type-check (module node16, strict)`);

// 2. Run the marked ones as plain ESM on this Node, with only the variables the marker gives.
const home = mkdtempSync(join(tmpdir(), "readme-snippet-home-"));
try {
  for (const b of blocks.filter((x) => x.run)) {
    const file = join(dir, fileOf(b).replace(/\.ts$/, ".mjs"));
    writeFileSync(file, `${b.code}\n`);
    const quiet = process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED; // set by .ci/newcomer
    const env = { PATH: process.env.PATH, HOME: home, AWS_EC2_METADATA_DISABLED: "true", ...(quiet && { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: quiet }), ...b.env };
    const run = spawnSync(process.execPath, [file], { cwd: app, env, encoding: "utf8", timeout: 60_000 });
    if (run.status !== 0) {
      console.error(`README.md:${b.line}: the snippet failed as plain .mjs (exit ${run.status}${run.signal ? `, ${run.signal}` : ""}):\n${run.stdout}${run.stderr}`);
      process.exit(1);
    }
    console.log(`readme snippets: README.md:${b.line} runs as plain .mjs on Node ${process.version} and exits 0`);
    const output = `${run.stdout}${run.stderr}`.trim();
    if (output) console.log(output.replace(/^/gm, "    "));
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
