import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { probeVideo } from "../data/index.js";
import { trainTinyAvatar } from "../train/testing.js";
import { runRender } from "./render.js";

let dir = "";
let avatarPath = "";
let datasetDir = "";

beforeAll(async () => {
  ({ dir, datasetDir, avatarPath } = await trainTinyAvatar({ prefix: "likeness-render-", sizePx: 32, sequence: "speech", framesPerExpression: 1, steps: 4 }));
  vi.spyOn(console, "log").mockImplementation(() => undefined);
  vi.spyOn(console, "error").mockImplementation(() => undefined);
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
}, 60_000);

afterAll(() => vi.restoreAllMocks());

async function checkOutput(out: string, frames: number, sizePx: number, audio: boolean): Promise<void> {
  const pngs = readdirSync(join(out, "frames")).sort();
  expect(pngs).toEqual(Array.from({ length: frames }, (_, i) => `${String(i).padStart(6, "0")}.png`));
  const meta = await sharp(join(out, "frames", pngs[0])).metadata();
  expect([meta.width, meta.height]).toEqual([sizePx, sizePx]);
  const video = await probeVideo(join(out, "render.mp4"));
  expect(video.frameCount).toBe(frames);
  expect(video.hasAudio).toBe(audio);
  expect(readdirSync(dir).filter((n) => n.includes(".partial") || n.includes(".old"))).toEqual([]);
}

describe("likeness render", () => {
  it("self-reenacts the held-out frames with the dataset's audio", async () => {
    const out = join(dir, "self");
    expect(await runRender([avatarPath, "--drive", datasetDir, "--out", out, "--samples", "8"])).toBe(0);
    await checkOutput(out, 3, 32, true);
    expect(vi.mocked(console.log).mock.calls.at(-1)?.[0]).toMatch(/^rendered 3 frames \(32x32\) of dataset .* frames\/s; video .*render\.mp4 \(30 fps, with audio\); PNGs in /);
  }, 30_000);

  it("drives across identities, orbits, and reads expression files; --overwrite replaces a render", async () => {
    const cross = join(dir, "cross");
    expect(await runRender([avatarPath, "--drive", datasetDir, "--cross", "--split", "all", "--frames", "4", "--out", cross, "--samples", "8"])).toBe(0);
    await checkOutput(cross, 4, 32, true);

    const orbit = join(dir, "orbit");
    expect(await runRender([avatarPath, "--orbit", "--frames", "3", "--size", "16", "--out", orbit, "--samples", "8"])).toBe(0);
    await checkOutput(orbit, 3, 16, false);

    const file = join(dir, "smile.json");
    writeFileSync(file, JSON.stringify({ fps: 10, frames: [{ expression: { jawOpen: 0.8 } }, { expression: { blinkLeft: 1, mouthCornerUpLeft: 0.5 } }] }));
    const expr = join(dir, "expr");
    expect(await runRender([avatarPath, "--expressions", file, "--out", expr, "--samples", "8"])).toBe(0);
    await checkOutput(expr, 2, 32, false);
    expect(await runRender([avatarPath, "--orbit", "--expressions", file, "--out", expr, "--overwrite", "--samples", "8"])).toBe(0);
    await checkOutput(expr, 2, 32, false);
  }, 60_000);

  it("fails with one-line messages and leaves no folder", async () => {
    const out = join(dir, "failed");
    const fails = async (argv: string[], pattern: RegExp): Promise<void> => {
      const error = await runRender(argv).then(() => null, (e: unknown) => e as Error);
      expect(error?.message).toMatch(pattern);
      expect(error?.message).not.toContain("\n");
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir).filter((n) => n.startsWith("failed"))).toEqual([]);
    };
    await fails([join(dir, "missing.avatar"), "--orbit", "--out", out], /missing\.avatar: cannot read \(ENOENT\)/);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{ \"fps\": 30, ");
    await fails([avatarPath, "--expressions", bad, "--out", out], /bad\.json: malformed JSON/);
    await fails([avatarPath, "--drive", datasetDir, "--camera", "side", "--out", out], /has no camera 'side'/);
    await fails([avatarPath, "--out", out], /choose a drive/);
    await fails([avatarPath, "--drive", datasetDir, "--orbit", "--out", out], /choose one drive/);
    await fails([avatarPath, "--orbit", "--frames", "0", "--out", out], /--frames must be a positive whole number/);
    await expect(runRender([avatarPath, "--orbit", "--out", join(dir, "self")])).rejects.toThrow(/self: already exists; pass --overwrite/);
    await expect(runRender([avatarPath, "--orbit", "--out", datasetDir, "--overwrite"])).rejects.toThrow(/is not a render folder/);
  });
});
