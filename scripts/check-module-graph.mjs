#!/usr/bin/env node
// The module graph of src/, checked: no import cycle between files, and no import from a lower room into a
// higher one (DESIGN.md, "Layout": lower rooms never import from higher ones; what both sides use belongs in
// src/shared/). Every relative import counts — `import type` and `export … from` too: a type-only circle is
// harmless at run time, but it is the same tangle for the next reader.
//
// Usage: node scripts/check-module-graph.mjs [<src dir>]   (exit 1 with each problem listed; part of `npm run check`)
//
// It reads the files with the TypeScript compiler's own import scanner (ts.preProcessFile), from the
// project's devDependencies: nothing to install.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ts = createRequire(import.meta.url)("typescript");

/**
 * The rooms of src/, lowest first: a file may import from its own room and from the rooms before it. A file
 * directly in src/ (index.ts, the package entry) is above them all. redis sits just above shared: it touches
 * a Redis client and builds on the STS budget pieces in shared/ (token bucket, wait queue, rate budget); the
 * role cache and assume role take its budget through the `StsBudget` interface, never by importing it.
 */
const ROOMS = ["shared", "redis", "telemetry", "sts", "sources", "refresh", "roles", "sqs", "testing", "cli"];
const ENTRY = "(src/)";

/**
 * Import cycles tolerated for now, each as the sorted list of its files, with why. Empty: keep it so. A
 * cycle in code another change is rewriting may go here with a comment naming that change, and leaves
 * with it.
 */
const ALLOWED_CYCLES = [];

const srcDir = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..", "src"));
const repo = dirname(srcDir);
const show = (file) => relative(repo, file).split(sep).join("/");

function tsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** The file a relative specifier names (`./x.js` is `./x.ts` in the sources; a folder is its index). */
function resolveSpecifier(from, specifier) {
  const base = resolve(dirname(from), specifier);
  const candidates = [base.replace(/\.(c|m)?js$/, ".$1ts"), base, `${base}.ts`, join(base, "index.ts")];
  return candidates.find((c) => c.endsWith(".ts") && existsSync(c) && statSync(c).isFile());
}

/** The room of a file: its first folder under src/, or ENTRY for a file directly in src/. */
function roomOf(file) {
  const parts = relative(srcDir, file).split(sep);
  return parts.length === 1 ? ENTRY : parts[0];
}
const rank = (room) => (room === ENTRY ? ROOMS.length : ROOMS.indexOf(room));

const files = tsFiles(srcDir).sort();
/** @type {Map<string, { to: string, line: number, specifier: string }[]>} */
const graph = new Map();
const problems = [];
let imports = 0;
for (const file of files) {
  const text = readFileSync(file, "utf8");
  const { importedFiles } = ts.preProcessFile(text, true, true);
  const lineStarts = ts.computeLineStarts(text);
  const edges = [];
  for (const { fileName: specifier, pos } of importedFiles) {
    if (!specifier.startsWith(".")) continue;
    const to = resolveSpecifier(file, specifier);
    const line = ts.computeLineAndCharacterOfPosition(lineStarts, pos).line + 1;
    if (!to) {
      problems.push(`${show(file)}:${line}: "${specifier}" names no file under ${show(srcDir)}`);
      continue;
    }
    edges.push({ to, line, specifier });
    imports++;
  }
  graph.set(file, edges);
}

// 1. Rooms: known, and imported only downwards.
for (const room of new Set(files.map(roomOf))) {
  if (rank(room) < 0) problems.push(`src/${room}/ is not a known room: add it to ROOMS in ${show(fileURLToPath(import.meta.url))}, in its place`);
}
for (const [file, edges] of graph) {
  const from = roomOf(file);
  for (const { to, line, specifier } of edges) {
    const target = roomOf(to);
    if (target === from || rank(from) < 0 || rank(target) < 0) continue;
    if (target === ENTRY) problems.push(`${show(file)}:${line}: imports the package entry ${show(to)}; import the module that defines the name`);
    else if (rank(target) > rank(from)) {
      problems.push(
        `${show(file)}:${line}: ${from}/ imports "${specifier}" from ${target}/, a higher room (order: ${ROOMS.join(" < ")}); ` +
          `move what both use to src/shared/ (or to the lower room)`,
      );
    }
  }
}

// 2. Cycles: strongly connected components of the file graph (Tarjan), each shown as one circle through it.
const index = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const components = [];
let counter = 0;
function connect(v) {
  index.set(v, counter);
  low.set(v, counter++);
  stack.push(v);
  onStack.add(v);
  for (const { to } of graph.get(v) ?? []) {
    if (!index.has(to)) {
      connect(to);
      low.set(v, Math.min(low.get(v), low.get(to)));
    } else if (onStack.has(to)) low.set(v, Math.min(low.get(v), index.get(to)));
  }
  if (low.get(v) !== index.get(v)) return;
  const component = [];
  let w;
  do {
    w = stack.pop();
    onStack.delete(w);
    component.push(w);
  } while (w !== v);
  if (component.length > 1 || (graph.get(v) ?? []).some((e) => e.to === v)) components.push(component.sort());
}
for (const file of files) if (!index.has(file)) connect(file);

/** One circle inside a component, from its first file back to it (breadth-first, so the shortest). */
function circleThrough(component) {
  const inside = new Set(component);
  const start = component[0];
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const { to } of graph.get(v) ?? []) {
      if (!inside.has(to)) continue;
      if (to === start) {
        const path = [start];
        for (let p = v; p !== start; p = previous.get(p)) path.splice(1, 0, p);
        return [...path, start];
      }
      if (!previous.has(to)) {
        previous.set(to, v);
        queue.push(to);
      }
    }
  }
  return component;
}

const allowed = new Set(ALLOWED_CYCLES.map((c) => [...c].sort().join("\n")));
const tolerated = [];
for (const component of components) {
  const names = component.map(show);
  if (allowed.has(names.join("\n"))) {
    tolerated.push(names);
    continue;
  }
  problems.push(
    `import cycle: ${circleThrough(component).map(show).join(" → ")}` +
      (component.length > 2 ? ` (${component.length} files import each other: ${names.join(", ")})` : "") +
      `; give what they share a file of its own, which imports none of them`,
  );
}

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  console.error(`module graph: ${problems.length} problem(s) in ${files.length} files`);
  process.exit(1);
}
console.log(
  `module graph: ${files.length} files, ${imports} relative imports; rooms ${ROOMS.join(" < ")} imported only downwards; ` +
    `no import cycle${tolerated.length > 0 ? ` (but ${tolerated.length} allowed in ALLOWED_CYCLES)` : ""}`,
);
