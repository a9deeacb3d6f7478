/** Doctor masks access key ids exactly as `formatDescription` does: one rule, in src/shared. */
export { maskAccessKeyId } from "../../shared/mask-access-key-id.js";
