import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { decodeVideoFrames, type DecodeFramesOptions } from "../data/video/decode.js";
import { encodeVideo } from "../data/video/encode.js";
import { medianSecondsAsync, type BenchResult } from "./result.js";

/** The real clip decoded: `../shared/data/real` beside the repository (see its PROVENANCE.md). */
const CLIP = resolve(import.meta.dirname, "../../../shared/data/real/expressive-woman-480.mp4");

async function decodeAll(options: DecodeFramesOptions): Promise<number> {
  let frames = 0;
  for await (const frame of decodeVideoFrames(CLIP, options)) {
    // Touch the frame so the consumer side is not optimized away.
    if (frame.rgb[0] > 255) throw new Error("unreachable");
    frames++;
  }
  return frames;
}

/** A moving gradient frame (the same buffer reused: the encoder writes each frame out before asking for the next). */
function* syntheticFrames(count: number, sizePx: number): Generator<Uint8Array> {
  const rgb = new Uint8Array(sizePx * sizePx * 3);
  for (let t = 0; t < count; t++) {
    for (let y = 0; y < sizePx; y++) {
      for (let x = 0; x < sizePx; x++) {
        const at = (y * sizePx + x) * 3;
        rgb[at] = (x + 2 * t) & 255;
        rgb[at + 1] = (y + t) & 255;
        rgb[at + 2] = ((x ^ y) + t) & 255;
      }
    }
    yield rgb;
  }
}

/**
 * Video I/O speed through ffmpeg pipes, frames per second as the consumer sees
 * them, median of three runs: decoding all 1008 frames of
 * expressive-woman-480.mp4 at full size (480x480 RGB) and with a 320x320 crop
 * resized to 256x256; encoding 300 frames of 256x256 to MP4. Returns nothing
 * when the clip is not beside the repository.
 */
export async function benchVideo(): Promise<BenchResult[]> {
  if (!existsSync(CLIP)) {
    console.log(`benchVideo: ${CLIP} not found; skipped`);
    return [];
  }
  const results: BenchResult[] = [];
  let frames = 0;
  const fullSeconds = await medianSecondsAsync(async () => {
    frames = await decodeAll({});
  });
  results.push({ name: "video_decode_480_fps", value: frames / fullSeconds, unit: "frames/s" });
  const cropSeconds = await medianSecondsAsync(async () => {
    frames = await decodeAll({ crop: { x: 80, y: 40, width: 320, height: 320 }, outSizePx: 256 });
  });
  results.push({ name: "video_decode_crop_256_fps", value: frames / cropSeconds, unit: "frames/s" });

  const dir = mkdtempSync(join(tmpdir(), "likeness-bench-video-"));
  try {
    const count = 300;
    const encodeSeconds = await medianSecondsAsync(async () => {
      await encodeVideo({ outPath: join(dir, "bench.mp4"), widthPx: 256, heightPx: 256, fps: 30, frames: syntheticFrames(count, 256) });
    });
    results.push({ name: "video_encode_256_fps", value: count / encodeSeconds, unit: "frames/s" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
