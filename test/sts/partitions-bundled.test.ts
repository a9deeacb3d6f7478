/**
 * awscreds bundled without `@aws-sdk/core` beside it: the SDK's partition table cannot be required from
 * awscreds' location. Simulated by making our own resolvability probe (src/shared/lazy-require.ts, not the
 * SDK) say no for `@aws-sdk/core/client`: the table then comes from the bundled `import()`, and the
 * same-partition check of the failover regions waits for the first call.
 */
import { describe, expect, it, vi } from "vitest";
import { loadSdkPartitions, sdkPartitionsNow } from "../../src/sts/partitions.js";
import { resolveFailover } from "../../src/sts/failover-config.js";

const PARTITIONS = "@aws-sdk/core/client";
const asked = vi.hoisted(() => [] as string[]);
vi.mock("../../src/shared/lazy-require.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/shared/lazy-require.js")>();
  return {
    ...real,
    canRequire: (specifier: string) => {
      asked.push(specifier);
      return specifier === PARTITIONS ? false : real.canRequire(specifier);
    },
    // The real one asks its own canRequire, which the mock does not reach.
    requireOrImport: <Module>(specifier: string, bundled: () => Promise<Module>) => (specifier === PARTITIONS ? bundled() : real.requireOrImport(specifier, bundled)),
  };
});

const P = "awscreds: Web identity";

describe("the partition table in a bundle without @aws-sdk/core beside it", () => {
  it("is loaded through the bundled import() when it cannot be required", async () => {
    const partitionOf = await loadSdkPartitions();
    expect(partitionOf("cn-north-1")).toEqual({ name: "aws-cn", dnsSuffix: "amazonaws.com.cn", supportsFIPS: true });
    expect(sdkPartitionsNow()).toBeUndefined();
  });

  it("failover regions: the same-partition check is left pending for the first call, not skipped", () => {
    expect(resolveFailover({ failoverRegions: ["cn-north-1"] }, {}, "eu-west-1", P)).toMatchObject({ regions: ["cn-north-1"], partitionCheckPending: true });
  });

  it("no failover regions: nothing pending, and the table is not even looked for", () => {
    asked.length = 0;
    expect(resolveFailover({}, {}, "eu-west-1", P).partitionCheckPending).toBe(false);
    expect(asked).not.toContain(PARTITIONS);
  });
});
