#!/usr/bin/env node
/**
 * The `awscreds` bin: a thin shell around `main()`. Ctrl-C aborts a running demo (which then prints its
 * summary); a second Ctrl-C exits at once.
 */
import { processIo } from "./io.js";
import { main } from "./main.js";

const interrupt = new AbortController();
const onSigint = (): void => {
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort();
};
process.on("SIGINT", onSigint);

void main(process.argv.slice(2), processIo(interrupt.signal)).then((code) => {
  process.off("SIGINT", onSigint);
  process.exitCode = code;
});
