import { CredentialStore } from "../../../src/testing/core/credential-store.js";
import type { FakeContext } from "../../../src/testing/core/context.js";

/** A FakeContext whose clock tests can move: `ctx.advance(ms)`; it follows real time otherwise. */
export interface TestContext extends FakeContext {
  advance(ms: number): void;
}

export function testContext(init: { region?: string; accountId?: string } = {}): TestContext {
  let offset = 0;
  return {
    store: new CredentialStore(),
    region: init.region ?? "us-east-1",
    accountId: init.accountId ?? "123456789012",
    now: () => Date.now() + offset,
    advance(ms) {
      offset += ms;
    },
  };
}
