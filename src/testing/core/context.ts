import type { CredentialStore } from "./credential-store.js";
import type { FrontDoor } from "./front-door.js";

/** Shared by the fake services of one `startFakeAws()` call. */
export interface FakeContext {
  readonly store: CredentialStore;
  readonly region: string;
  readonly accountId: string;
  now(): number;
  /** Single-port mode: the fakes share this server instead of listening on ports of their own. */
  readonly front?: FrontDoor | undefined;
}
