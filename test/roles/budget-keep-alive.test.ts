/**
 * A caller waiting for the rate budget keeps the process alive even when a background refresh set the
 * budget's (unref'd) timer first: the script in fixtures/budget-waiters.ts runs as a real Node process and
 * must print `granted` instead of exiting mid-await with code 0.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { bundleFixture, runNode, type BundledFixture } from "../support/child-node.js";

let fixture: BundledFixture;
beforeAll(async () => {
  fixture = await bundleFixture(new URL("./fixtures/budget-waiters.ts", import.meta.url));
});
afterAll(() => fixture?.dispose());

for (const mode of ["join", "nudge"] as const) {
  it(`a caller (${mode === "join" ? "its own fetch queued" : "joining the queued refresh"}) behind a waiting background refresh gets its token before the process exits`, async () => {
    const run = await runNode([fixture.script, mode], { PATH: process.env.PATH }, 20_000);
    expect({ code: run.code, stdout: run.stdout.trim(), stderr: run.stderr.trim() }).toEqual({ code: 0, stdout: "granted", stderr: "" });
  }, 30_000);
}
