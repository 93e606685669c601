/**
 * A test fixture shared by the tests of the commands that use a trained avatar:
 * a small synthetic capture and a tiny avatar trained on it in a few seconds.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtInSubject, captureSynthetic, type SynthSequence } from "../data/index.js";
import { trainAvatar } from "./train-avatar.js";

/** Where {@link trainTinyAvatar} put things. */
export interface TinyAvatarFixture {
  /** A fresh temporary folder holding both. */
  dir: string;
  datasetDir: string;
  avatarPath: string;
}

/** Captures ada (20 time steps, front camera, formant voice) and trains the tiny preset on it. */
export async function trainTinyAvatar(options: { prefix: string; sizePx: number; sequence: SynthSequence; framesPerExpression: number; steps: number }): Promise<TinyAvatarFixture> {
  const quiet = { write: () => true };
  const dir = mkdtempSync(join(tmpdir(), options.prefix));
  const datasetDir = join(dir, "ds");
  await captureSynthetic({
    subject: builtInSubject("ada"), outDir: datasetDir, sizePx: options.sizePx, rig: "front", domeCameras: 1, sequence: options.sequence,
    framesPerExpression: options.framesPerExpression, maxFrames: 20, fps: 30, sentence: "hello", voice: "formant", seed: 1, overwrite: false, progress: quiet,
  });
  const avatarPath = join(dir, "ada.avatar");
  await trainAvatar({ datasetDir, outPath: avatarPath, preset: "tiny", steps: options.steps, resume: false, validateEvery: 5, progress: quiet });
  return { dir, datasetDir, avatarPath };
}
