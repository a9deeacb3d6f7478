/**
 * vitest globalSetup of the interop suite: refuses to run outside a loopback-only network namespace
 * (the suite drives clients that would happily talk to real AWS if an endpoint were ever missing).
 * `npm run test:interop` (test/interop/run.sh) creates that namespace and runs the suite inside it.
 */
import { networkInterfaces } from "node:os";

export default function setup(): void {
  const interfaces = Object.keys(networkInterfaces());
  const others = interfaces.filter((name) => name !== "lo");
  if (others.length > 0) {
    throw new Error(
      `The interop suite runs only in a loopback-only network namespace, but this one has ${others.join(", ")}. ` +
        "Run it with `npm run test:interop` (as root: it creates the namespace with `ip netns add`).",
    );
  }
}
