// The kernel module: every export is a kernel that takes byte offsets into the
// shared memory, sizes, and finally (tid, numThreads). It must hold no static
// data and no top-level statements (see scripts/build-kernels.mjs).
export * from "./elementwise";
export * from "./optim";
export * from "./arith";
export * from "./reduce";
export * from "./shape";
export * from "./gather";
export * from "./loss";
export * from "./linear";
export * from "./conv";
export * from "./fields";
export * from "./probe";
