/**
 * awscreds: AWS credential providers for long-running Node.js services.
 */
export type { Logger } from "./shared/logger.js";
export { SafeCredentials, toSafeCredentials, redactCredentials } from "./shared/safe-credentials.js";
export type { RedactedCredentials } from "./shared/safe-credentials.js";
