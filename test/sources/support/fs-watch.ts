/**
 * Records every file system access (open, read, stat, readdir…) whose path starts with a watched prefix,
 * whoever makes it: the SDK, Node's module loader, our code. It wraps Node's fs binding, below `fs`,
 * `fs/promises` and any destructured import of them, so no caller can slip past it.
 */

type Binding = Record<string, unknown>;

// Functions of the fs binding whose first argument is a path (Node 20+).
const PATH_FUNCTIONS = [
  "access",
  "existsSync",
  "open",
  "openFileHandle",
  "readFileUtf8",
  "readdir",
  "stat",
  "lstat",
  "statfs",
  "readlink",
  "realpath",
  "internalModuleReadJSON",
  "internalModuleStat",
  "getFormatOfExtensionlessFile",
  "legacyMainResolve",
];

function pathOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  if (value instanceof URL) return value.pathname;
  return undefined;
}

export interface FsWatch {
  /** Paths accessed under the watched prefixes, with the binding function used, e.g. `open /home/x/.aws/credentials`. */
  readonly accesses: readonly string[];
  stop(): void;
}

/** Starts recording accesses to paths that start with one of `prefixes`. Always `stop()` it. */
export function watchFs(prefixes: string[]): FsWatch {
  const binding = (process as unknown as { binding(name: string): Binding }).binding("fs");
  const accesses: string[] = [];
  const originals = new Map<string, unknown>();
  for (const name of PATH_FUNCTIONS) {
    const original = binding[name];
    if (typeof original !== "function") continue;
    originals.set(name, original);
    binding[name] = function (this: unknown, ...args: unknown[]): unknown {
      const path = pathOf(args[0]);
      if (path !== undefined && prefixes.some((prefix) => path.startsWith(prefix))) accesses.push(`${name} ${path}`);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
  return {
    accesses,
    stop() {
      for (const [name, original] of originals) binding[name] = original;
    },
  };
}
