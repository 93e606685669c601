import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { builtInSubject, captureSynthetic, loadDataset } from "../data/index.js";
import { psnr } from "../eval/index.js";
import { loadTrainingFrames } from "../methods/flame-in-nerf/index.js";
import { readAvatarFile } from "./avatar-file.js";
import { FlameInNerfAvatar } from "./avatar.js";
import { VALIDATION_FRAMES, spreadEvenly, trainAvatar } from "./train-avatar.js";

const quiet = { write: () => true };

describe("trainAvatar", () => {
  it("trains the tiny preset on a synthetic capture, validates on a held-out frame, checkpoints and resumes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "likeness-train-"));
    await captureSynthetic({
      subject: builtInSubject("ada"), outDir: join(dir, "ds"), sizePx: 32, rig: "front", domeCameras: 1, sequence: "expressions",
      framesPerExpression: 1, maxFrames: 20, fps: 30, sentence: "hello", voice: "formant", seed: 1, overwrite: false, progress: quiet,
    });
    const out = join(dir, "ada.avatar");
    const first = await trainAvatar({ datasetDir: join(dir, "ds"), outPath: out, preset: "tiny", steps: 10, resume: false, validateEvery: 10, progress: quiet });
    expect(first.step).toBe(10);
    expect(first.validationPsnr).toBeGreaterThan(5);
    expect(readAvatarFile(out).training.step).toBe(10);
    expect(readdirSync(first.rendersDir)).toContain("val-000010.png");
    const resumed = await trainAvatar({ datasetDir: join(dir, "ds"), outPath: out, preset: "tiny", steps: 20, resume: true, validateEvery: 10, progress: quiet });
    expect(resumed.step).toBe(20);
    expect(resumed.history.steps.length).toBe(20);
    expect(readAvatarFile(out).training.step).toBe(20);
    expect(existsSync(out)).toBe(true);
    // Resuming with another config is refused, naming what differs; the checkpoint is left as it was.
    await expect(trainAvatar({ datasetDir: join(dir, "ds"), outPath: out, preset: "tiny", overrides: { meshWarp: false }, steps: 30, resume: true, progress: quiet }))
      .rejects.toThrow(/ada\.avatar: was trained with another config \('meshWarp' differs\)/);
    expect(readAvatarFile(out).training.step).toBe(20);

    // The saved avatar, loaded on its own, renders the held-out frames as the trainer's last validation did.
    const avatar = FlameInNerfAvatar.load(out);
    expect(avatar.trainedSteps).toBe(20);
    expect(avatar.state.dataset).toBe("ada-front-expressions");
    const dataset = await loadDataset(join(dir, "ds"));
    const val = spreadEvenly(await loadTrainingFrames(dataset, { split: "val" }), VALIDATION_FRAMES);
    let sum = 0;
    for (const f of val) {
      const pose = f.frame.headPose!;
      const image = avatar.render({ expression: f.expression, rotationAxisAngle: pose.rotationAxisAngle, translation: pose.translation }, f.camera, { skipEmpty: false });
      expect([image.widthPx, image.heightPx]).toEqual([32, 32]);
      sum += psnr(image.rgb, f.rgb);
    }
    expect(sum / val.length).toBeCloseTo(resumed.validationPsnr!, 4);
    avatar.dispose();
    expect(() => FlameInNerfAvatar.load(join(dir, "ds", "dataset.json"))).toThrow(/dataset\.json/);
  });
});
