/**
 * What the numbers were measured on, printed next to them: results from a laptop and from a 2-core CI
 * box are not comparable, and the reader should be able to tell which is which.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem, type as osType, arch } from "node:os";
import { fileURLToPath } from "node:url";

/** Repository root (two levels above this file). */
export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

export interface MachineInfo {
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  awsSdk: string;
  awscreds: string;
  commit: string;
  loadAverageAtStart: readonly number[];
}

function packageVersion(path: string): string {
  try {
    const parsed = JSON.parse(readFileSync(new URL(path, `file://${repoRoot}`), "utf8")) as { version?: unknown };
    return typeof parsed.version === "string" ? parsed.version : "unknown";
  } catch {
    return "unknown";
  }
}

function gitCommit(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return dirty === "" ? head : `${head} + uncommitted changes`;
  } catch {
    return "unknown";
  }
}

/**
 * Describes the machine and software versions of this run.
 *
 * @example
 * ```ts
 * const m = machineInfo();
 * console.log(`${m.cpu} × ${m.cores}, Node ${m.node}`);
 * ```
 */
export function machineInfo(): MachineInfo {
  const cpuList = cpus();
  return {
    date: new Date().toISOString(),
    cpu: cpuList[0]?.model.trim().replace(/\s+/g, " ") ?? "unknown",
    cores: cpuList.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${osType()} ${release()} ${arch()}`,
    node: process.version,
    awsSdk: packageVersion("node_modules/@aws-sdk/client-sts/package.json"),
    awscreds: packageVersion("package.json"),
    commit: gitCommit(),
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/**
 * A short machine line for chart captions: date, CPU count and Node version.
 *
 * @example
 * ```ts
 * machineSummary(); // "2026-11-22, AMD EPYC × 2, Node v20.20.2"
 * ```
 */
export function machineSummary(info: MachineInfo = machineInfo()): string {
  return `${info.date.slice(0, 10)}, ${info.cpu} × ${info.cores}, Node ${info.node}`;
}
