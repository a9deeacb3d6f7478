import { defineConfig, type Options } from "tsup";

/** What users import, in ESM and CommonJS, with types for both. */
const library = {
  index: "src/index.ts",
  "sqs/index": "src/sqs/index.ts",
  "testing/index": "src/testing/index.ts",
  "redis/index": "src/redis/index.ts",
};

const common: Options = {
  target: "node20",
  splitting: true,
  treeshake: true,
  // Maps without the sources: stack traces (`--enable-source-maps`) still name src/ files and lines,
  // at a fraction of the size (the sources themselves were half the package).
  sourcemap: true,
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
  // `npm run build` empties dist/ first: two configs building at once must not clean each other's output.
  clean: false,
};

export default defineConfig([
  // The command (and its demo, which runs the fakes) is ESM only: `bin` points at dist/cli/index.js, and
  // nothing requires it. Built with the library's ESM so the two share chunks.
  { ...common, entry: { ...library, "cli/index": "src/cli/index.ts" }, format: ["esm"], dts: { entry: library } },
  { ...common, entry: library, format: ["cjs"], dts: { entry: library } },
]);
