// The likeness package: the public surface of each layer.
export * from "./core/index.js";
export * from "./geometry/index.js";
export * from "./data/index.js";
export * from "./fields/index.js";
export * from "./drivers/index.js";
export * as flameInNerf from "./methods/flame-in-nerf/index.js";
export * from "./train/index.js";
export * from "./render/index.js";
export * from "./eval/index.js";
