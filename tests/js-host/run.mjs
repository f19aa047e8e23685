// Runs a WASI 0.2 command component that jco transpiled, on Node with
// jco's WASI 0.2 shim (@bytecodealliance/preview2-shim), with the inputs
// e2e/src/jco.rs gives in a JSON file: args, env and preopens (guest path ->
// host directory). stdin, stdout and stderr are the process's own.
//
//   node run.mjs CONFIG.json
//
// Exit status: the component's (`exit`, `exit-with-code`; 1 when `run`
// returns `err`), or 252 with "trap: ..." on stderr when it traps (250: the component did not
// instantiate; 251: any other host error).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { _setArgs, _setEnv } from "@bytecodealliance/preview2-shim/cli";
import { _setPreopens } from "@bytecodealliance/preview2-shim/filesystem";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
_setArgs(config.args);
_setEnv(Object.fromEntries(config.env));
_setPreopens(config.preopens);

// Statuses a program cannot exit with (preview1 exit codes are below 126).
export const TRAP_STATUS = 252;
const INSTANTIATION_FAILED = 250;
const HOST_ERROR = 251;

let component;
try {
  component = await import(pathToFileURL(config.component).href);
} catch (e) {
  process.stderr.write(`instantiation failed: ${e?.stack ?? e}\n`);
  process.exit(INSTANTIATION_FAILED);
}
try {
  component.run.run();
  process.exitCode = 0;
} catch (e) {
  if (e instanceof WebAssembly.RuntimeError) {
    process.stderr.write(`trap: ${e.message}\n`);
    process.exit(TRAP_STATUS);
  }
  // `run` returned `err` (jco throws the error payload of a `result`).
  if (e?.constructor?.name === "ComponentError") {
    process.exit(1);
  }
  process.stderr.write(`host error: ${e?.stack ?? e}\n`);
  process.exit(HOST_ERROR);
}
