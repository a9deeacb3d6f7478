#!/usr/bin/env node
// Checks every TypeScript snippet of README.md as a reader meets it: copied ALONE into a file of an app that
// installed awscreds (from git or a tarball). Each ```ts block is its own module and must type-check (strict,
// module node16, against the installed package's types) with each TypeScript given — there are no shared
// declarations: a block imports what it uses and defines what it names.
//
// Markers, on the line before a block:
//   <!-- snippet: name=<id> -->                   names a (self-contained) block so that others may continue it
//   <!-- snippet: run [VAR=value …] -->            the block also runs as a plain .mjs file on this Node, exit 0
//   <!-- snippet: js -->                           the block is also plain JavaScript (`node --check` as .mjs)
// A block that goes on from a named one says so VISIBLY, on its first line:
//   // Continues "<id>" above.
// and is checked as the named block followed by itself.
//
// Usage: node .ci/readme-snippets.mjs <README.md> <app dir with awscreds installed> [<tsc.js> …]
//   (default tsc: the app's node_modules/typescript/bin/tsc)
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";

const [readmeArg, appArg, ...tscArgs] = process.argv.slice(2);
if (!readmeArg || !appArg) {
  console.error("usage: node .ci/readme-snippets.mjs <README.md> <app dir> [<tsc> …]");
  process.exit(2);
}
const readme = resolve(readmeArg);
const app = resolve(appArg);
const compilers = tscArgs.length > 0 ? tscArgs.map((t) => resolve(t)) : [join(app, "node_modules", "typescript", "bin", "tsc")];

const CONTINUES = /^\/\/ Continues "([^"]+)" above\.\s*$/;

/** Fenced ```ts blocks (indented ones too, as inside a list), with their line and markers. */
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
    const marker = /^\s*<!--\s*snippet:\s*(.*?)-->\s*$/.exec(lines[i - 1] ?? "")?.[1].trim() ?? "";
    const run = /^run\b/.test(marker);
    const env = run ? Object.fromEntries(marker.slice(3).trim().split(/\s+/).filter(Boolean).map((kv) => kv.split(/=(.*)/s).slice(0, 2))) : undefined;
    const name = /^name=(\S+)$/.exec(marker)?.[1];
    const continues = CONTINUES.exec(body[0] ?? "")?.[1];
    blocks.push({ line: i + 1, code: body.join("\n"), run, env, js: marker === "js" || run, name, continues });
    i = j;
  }
  return blocks;
}

const blocks = extract(readFileSync(readme, "utf8"));
if (blocks.length === 0) throw new Error(`no \`\`\`ts snippets found in ${readme}`);
const named = new Map(blocks.filter((b) => b.name).map((b) => [b.name, b]));
for (const b of blocks) {
  if (b.continues === undefined) continue;
  const base = named.get(b.continues);
  if (!base) throw new Error(`README.md:${b.line}: continues "${b.continues}", but no block is marked <!-- snippet: name=${b.continues} -->`);
  if (base.continues !== undefined) throw new Error(`README.md:${b.line}: "${b.continues}" is itself a continuation; continue a self-contained block`);
}

const dir = join(app, "readme-snippets");
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
// ESM, as top-level await in the snippets needs; the app itself may be CommonJS.
writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
const fileOf = (b) => `readme-line-${String(b.line).padStart(4, "0")}.ts`;
/** A file's line → README line: a continuation's file starts with the block it continues. */
const origin = new Map();
for (const b of blocks) {
  const base = b.continues === undefined ? undefined : named.get(b.continues);
  const parts = base ? [base, b] : [b];
  const map = [];
  for (const part of parts) part.code.split("\n").forEach((_, k) => map.push(part.line + 1 + k));
  origin.set(fileOf(b), map);
  writeFileSync(join(dir, fileOf(b)), `${parts.map((p) => p.code).join("\n")}\nexport {};\n`);
}
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

// 1. Type-check every snippet, alone, with each compiler; map each error back to its README line.
for (const compiler of compilers) {
  const version = spawnSync(process.execPath, [compiler, "--version"], { encoding: "utf8" }).stdout.trim();
  const tsc = spawnSync(process.execPath, [compiler, "-p", dir, "--pretty", "false"], { encoding: "utf8" });
  const errors = `${tsc.stdout}${tsc.stderr}`.trim();
  if (tsc.status !== 0) {
    for (const line of errors.split("\n")) {
      const m = /^(.*?readme-line-\d+\.ts)\((\d+),(\d+)\): (.*)$/.exec(line);
      const map = m && origin.get(m[1].split("/").at(-1));
      const at = map?.[Number(m[2]) - 1];
      console.error(at ? `README.md:${at}:${m[3]}: ${m[4]} (in ${m[1].split("/").at(-1)})` : line);
    }
    console.error(`readme snippets: type errors with ${version} (snippets are in ${relative(process.cwd(), dir)}; each must compile alone)`);
    process.exit(1);
  }
  const continued = blocks.filter((b) => b.continues !== undefined).length;
  console.log(`readme snippets: ${blocks.length} TypeScript snippets type-check alone with ${version} (module node16, strict; ${continued} as marked continuations)`);
}

// 2. The plain-JavaScript ones parse as .mjs, and the marked ones run on this Node with only the variables the marker gives.
const home = mkdtempSync(join(tmpdir(), "readme-snippet-home-"));
try {
  for (const b of blocks.filter((x) => x.js)) {
    const file = join(dir, fileOf(b).replace(/\.ts$/, ".mjs"));
    writeFileSync(file, `${b.code}\n`);
    const check = spawnSync(process.execPath, ["--check", file], { encoding: "utf8" });
    if (check.status !== 0) {
      console.error(`README.md:${b.line}: the snippet is marked plain JavaScript but does not parse as .mjs:\n${check.stderr}`);
      process.exit(1);
    }
    if (!b.run) continue;
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
  console.log(`readme snippets: ${blocks.filter((x) => x.js).length} marked plain-JavaScript snippets parse as .mjs`);
} finally {
  rmSync(home, { recursive: true, force: true });
}
