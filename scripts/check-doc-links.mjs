#!/usr/bin/env node
// Every relative link of README.md and the guides in docs/ (top level; docs/api is generated and checked by
// typedoc) names a file that exists and, with a #fragment into a Markdown file, a heading that exists there
// (GitHub's anchors: lower case, punctuation dropped, spaces as "-", "-1", "-2"… for repeated headings).
// The README links to one guide per capability, and the guides to each other: a moved or renamed section
// breaks them silently otherwise.
//
// Usage: node scripts/check-doc-links.mjs [<repository dir>]   (exit 1 with each broken link; in `npm run check`)
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), ".."));
const docs = join(repo, "docs");
const files = [join(repo, "README.md"), ...readdirSync(docs).filter((f) => f.endsWith(".md")).sort().map((f) => join(docs, f))];

/** The text outside fenced code blocks (links inside them are code, not links). */
function prose(text) {
  let fenced = false;
  return text
    .split("\n")
    .filter((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        fenced = !fenced;
        return false;
      }
      return !fenced;
    })
    .join("\n");
}

const anchorCache = new Map();
/** The anchors GitHub gives the headings of a Markdown file. */
function anchorsOf(file) {
  if (anchorCache.has(file)) return anchorCache.get(file);
  const seen = new Map();
  const anchors = new Set();
  for (const line of prose(readFileSync(file, "utf8")).split("\n")) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = heading[1]
      .replace(/<[^>]+>/g, "")
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  anchorCache.set(file, anchors);
  return anchors;
}

const broken = [];
let checked = 0;
for (const file of files) {
  const text = prose(readFileSync(file, "utf8")).replace(/`[^`\n]*`/g, "");
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    checked++;
    const [path, fragment] = target.split("#", 2);
    const to = path ? resolve(dirname(file), decodeURIComponent(path)) : file;
    const where = relative(repo, file);
    if (!existsSync(to)) broken.push(`${where}: (${target}) names ${relative(repo, to)}, which does not exist`);
    else if (fragment && statSync(to).isFile() && to.endsWith(".md") && !anchorsOf(to).has(fragment)) {
      broken.push(`${where}: (${target}): ${relative(repo, to)} has no heading with the anchor #${fragment}`);
    }
  }
}
if (broken.length > 0) {
  for (const b of broken) console.error(b);
  console.error(`doc links: ${broken.length} broken of ${checked}`);
  process.exit(1);
}
console.log(`doc links: ${checked} relative links of README.md and ${files.length - 1} guides resolve`);
