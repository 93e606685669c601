// Builds assembly/index.ts into build/kernels.wasm with imported shared memory,
// SIMD and threads, then refuses modules with data segments or a start function:
// every worker instantiates the module on the same memory, and either would
// rewrite shared state on each instantiation.
import { execFileSync } from "node:child_process";
import { readFileSync, renameSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "build");
mkdirSync(outDir, { recursive: true });
const tmp = join(outDir, `kernels.${process.pid}.tmp`);
const asc = join(root, "node_modules", "assemblyscript", "bin", "asc.js");

/** Pages (64 KiB) the module declares; the runtime's memory must match the maximum. */
const initialPages = 256;
const maximumPages = 65536;

execFileSync(
  process.execPath,
  [
    asc,
    join(root, "assembly", "index.ts"),
    "--outFile", `${tmp}.wasm`,
    "--textFile", `${tmp}.wat`,
    "--importMemory", "--sharedMemory",
    "--initialMemory", String(initialPages),
    "--maximumMemory", String(maximumPages),
    "--enable", "simd,threads",
    "--runtime", "stub",
    "--use", "abort=",
    "-O3", "--noAssert",
    // AS112 flags v128 values crossing module boundaries; SIMD helpers shared
    // between kernel files do that, and a kernel export taking v128 could not be
    // called from JavaScript at all, which the tests would catch.
    "--disableWarning", "112",
  ],
  { stdio: "inherit", cwd: root },
);

const wat = readFileSync(`${tmp}.wat`, "utf8");
for (const forbidden of ["(data", "(start"]) {
  if (wat.includes(forbidden)) {
    rmSync(`${tmp}.wasm`, { force: true });
    rmSync(`${tmp}.wat`, { force: true });
    throw new Error(`build-kernels: the kernel module contains '${forbidden}'; kernels must have no static data and no top-level code`);
  }
}
renameSync(`${tmp}.wat`, join(outDir, "kernels.wat"));
renameSync(`${tmp}.wasm`, join(outDir, "kernels.wasm"));
