import type { KnownCredentials } from "../core/credential-store.js";
import type { FakeContext } from "../core/context.js";
import { checkLifetime, issueRoleCredentials, type IssuedRoleCredentials, type RoleArnParts } from "./identity.js";

/** IMDS and the ECS agent hand out fresh credentials this long before the old ones expire. */
const ROTATE_BEFORE_MS = 5 * 60 * 1000;

/** Role credentials as the metadata endpoints serve them, with the time they were minted. */
export interface ServedRoleCredentials extends IssuedRoleCredentials {
  issuedAt: number;
}

/**
 * The credentials a metadata endpoint (IMDS, container agent) serves for its one role: the same ones on
 * every read until they near expiry — 5 minutes before, or halfway for the short lifetimes tests use —
 * then new ones, as the real endpoints rotate them.
 */
export class RotatingRoleCredentials {
  #lifetimeSeconds: number;
  #current: { roleKey: string; served: ServedRoleCredentials } | undefined;
  readonly #issued: string[] = [];

  constructor(
    private readonly ctx: FakeContext,
    private readonly issuer: KnownCredentials["issuer"],
    lifetimeSeconds: number,
  ) {
    this.#lifetimeSeconds = checkLifetime(lifetimeSeconds);
  }

  setLifetime(seconds: number): void {
    this.#lifetimeSeconds = checkLifetime(seconds);
  }

  /** Drops the current credentials: the next read gets new ones. */
  rotate(): void {
    this.#current = undefined;
  }

  /** Access key ids served so far, oldest first. */
  get issuedAccessKeyIds(): readonly string[] {
    return this.#issued;
  }

  /** The credentials to serve now for `role` as session `sessionName`. */
  current(role: RoleArnParts, sessionName: string): ServedRoleCredentials {
    const now = this.ctx.now();
    const roleKey = `${role.partition}:${role.account}:${role.roleName}:${sessionName}`;
    const held = this.#current;
    if (held !== undefined && held.roleKey === roleKey) {
      const expiresAt = held.served.known.expiresAt!;
      const rotateAt = expiresAt - Math.min(ROTATE_BEFORE_MS, (expiresAt - held.served.issuedAt) / 2);
      if (now < rotateAt) return held.served;
    }
    const served = { ...issueRoleCredentials(this.ctx, { role, sessionName, lifetimeSeconds: this.#lifetimeSeconds, issuer: this.issuer }), issuedAt: now };
    this.#issued.push(served.known.accessKeyId);
    this.#current = { roleKey, served };
    return served;
  }
}
