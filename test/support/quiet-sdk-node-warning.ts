/**
 * Vitest setup file. The SDK prints its NodeVersionSupportWarning once per process unless
 * AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED is true when its first client is built. Many tests clear
 * every AWS_* variable before building clients, so the variable alone (vitest.config.ts `env`, inherited by
 * subprocesses) is not enough in the test workers: marking the one-time warning as already handled here,
 * with the variable set, keeps it quiet for the whole worker. Users of awscreds still see it.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
// The very module instance the clients use: under Node, `@aws-sdk/core/client` resolves to its CJS build
// for require and import alike.
const { emitWarningIfUnsupportedVersion } = require("@aws-sdk/core/client") as { emitWarningIfUnsupportedVersion(version: string): void };
if (process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === "true") emitWarningIfUnsupportedVersion(process.version);
