import type { CredentialStore } from "./credential-store.js";

/** Shared by the fake services of one `startFakeAws()` call. */
export interface FakeContext {
  readonly store: CredentialStore;
  readonly region: string;
  readonly accountId: string;
  now(): number;
}
