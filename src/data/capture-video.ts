import { existsSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { createFaceModel, NUM_LANDMARKS } from "../face/index.js";
import { writeContactSheet, type ContactTile } from "./contact-sheet.js";
import type { DatasetInput } from "./dataset.js";
import { drawFitOverlay, faceOverlayTriangles, fitLandmarkTracks, fittedVertices, type FitResult, type PoseJitter } from "./fit/index.js";
import { ProgressBar, type ProgressStream } from "./progress.js";
import { rasterizeRegionMasks, triangleRegionBits } from "./region-masks.js";
import { createMatter, type MatteModel } from "./matte/index.js";
import { createFaceTracker, landmarkJitter, smoothTrack, type LandmarkJitter } from "./track/index.js";
import {
  decodeVideoFrames, encodeVideo, extractAudio, listImageFiles, probeVideo, readImageFolder, VideoError, type CropRect, type VideoFrame,
} from "./video/index.js";
import { encodeWav } from "./wav.js";
import { openDatasetWriter } from "./write.js";

/** File names a video capture writes inside its dataset, besides frames and masks. */
export const VIDEO_CAPTURE_FILES = {
  contactSheet: "contact-sheet.png",
  report: "capture-report.json",
  overlay: "tracking-overlay.mp4",
} as const;

/** Foreground matting of a capture: a segmentation model of src/data/matte, or none. */
export type CaptureMatting = MatteModel | "none";

/** Options of {@link captureVideo}. */
export interface VideoCaptureOptions {
  /** A video file, or a folder of PNG/JPG frames. */
  input: string;
  outDir: string;
  /** Side of the square output frames, pixels. */
  sizePx: number;
  /** Only the first this many frames. */
  maxFrames?: number;
  /** Frame rate of an image folder (videos carry their own). */
  folderFps?: number;
  /** Also write a video of the fitted mesh over the frames. */
  overlay: boolean;
  /** Fraction of the time steps, at the end, held out for validation. */
  valFraction?: number;
  /** Crop side as a multiple of the largest face-box side (head, hair and neck in view). */
  cropScale?: number;
  overwrite: boolean;
  /**
   * Foreground matting (default `selfie`, about 15 ms a frame; `rvm` has the best
   * hair edges at about 0.3 s a frame); `none` writes no foreground masks.
   */
  matting?: CaptureMatting;
  /**
   * Also fit the tracker's landmark depths (default false: image positions only).
   * Depths give a truer rotation of a moving head: on synthetic head sweeps of the
   * six built-in subjects, 2.2 degrees from the truth on average against 4.4
   * (`npm run bench -- fit`), though 2.7 against 2.1 on expression sweeps with the
   * head still. Use them for videos that drive another avatar. Avatars trained on
   * such captures scored lower (20.8 to 19.8 dB held-out on expressive-woman-480),
   * so captures for training fit the image positions, which line the model up
   * with the frames.
   */
  fitDepths?: boolean;
  progress?: ProgressStream;
}

/** What {@link captureVideo} measured, also written as `capture-report.json`. */
export interface VideoCaptureReport {
  input: string;
  frames: number;
  trackedFrames: number;
  untrackedFrames: number[];
  crop: CropRect;
  sizePx: number;
  /** Mean landmark reprojection error of the fit, pixels of the output frames, and as fractions of the face box. */
  fitMeanErrorPx: number;
  fitMeanErrorOfBoxDiagonal: number;
  fitMeanErrorOfBoxSide: number;
  fitWorstFrameErrorOfBoxDiagonal: number;
  focalPx: number;
  /** Whether the fit used the tracker's landmark depths (`fitDepths`). */
  fitDepths: boolean;
  /** Frame-to-frame landmark acceleration of the raw and the One Euro-smoothed tracks. */
  jitterRaw: LandmarkJitter;
  jitterSmoothed: LandmarkJitter;
  /** Frame-to-frame jitter of the fitted head pose (second differences against first differences). */
  poseJitter: PoseJitter;
  hasAudio: boolean;
  /** The segmentation model of the foreground masks, or `none`. */
  matting: CaptureMatting;
  /** Where the time went, seconds. */
  seconds: { track: number; fit: number; write: number; total: number };
  framesPerSecond: number;
}

/** What a capture wrote. */
export interface VideoCaptureResult {
  datasetDir: string;
  contactSheet: string;
  overlayVideo: string | null;
  report: VideoCaptureReport;
}

function frames(input: string, isFolder: boolean, fps: number, options: { maxFrames?: number; crop?: CropRect; outSizePx?: number }): AsyncGenerator<VideoFrame> {
  return isFolder ? readImageFolder(input, { fps, ...options }) : decodeVideoFrames(input, options);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * One square crop for the whole video, so the framing does not jitter with the
 * per-frame boxes: centred on the median face centre, `scale` times the 90th
 * percentile of the face size, kept inside the frame.
 */
export function stableCrop(boxes: readonly (readonly [number, number, number, number])[], widthPx: number, heightPx: number, scale: number): CropRect {
  const sizes = boxes.map(([, , w, h]) => Math.max(w, h)).sort((a, b) => a - b);
  const faceSize = sizes[Math.min(sizes.length - 1, Math.floor(0.9 * sizes.length))];
  const side = Math.min(widthPx, heightPx, Math.round(scale * faceSize));
  // The head's centre sits a little above the landmark box's (the box stops at the brows).
  const cx = median(boxes.map(([x, , w]) => x + w / 2));
  const cy = median(boxes.map(([, y, , h]) => y + 0.42 * h));
  const x = Math.min(widthPx - side, Math.max(0, Math.round(cx - side / 2)));
  const y = Math.min(heightPx - side, Math.max(0, Math.round(cy - side / 2)));
  return { x, y, width: side, height: side };
}

/**
 * `likeness capture video`: turns a portrait video (or a folder of frames) into a
 * dataset (format v1). Tracks every frame with Human (478 landmarks), picks one
 * stable square crop, fits the face model (identity and focal per video, pose and
 * expression per frame), and writes the cropped frames with foreground (from a
 * segmentation model) and face/mouth/eye masks (from the fitted mesh), the fitted parameters, the
 * landmarks, the audio track as WAV, a time-based train/validation split, a
 * contact sheet with the fitted mesh drawn over sampled frames, a report of the
 * reprojection error and jitter, and optionally a video of the tracking overlay.
 * Frames without a face are flagged (`tracked: false`), never filled. Bad input
 * fails before anything is written; the dataset appears complete or not at all.
 */
export async function captureVideo(options: VideoCaptureOptions): Promise<VideoCaptureResult> {
  const started = performance.now();
  const { input, sizePx, valFraction = 0.15, cropScale = 2.0 } = options;
  if (!existsSync(input)) throw new VideoError(`${input}: no such file or folder`);
  const isFolder = statSync(input).isDirectory();
  const info = isFolder ? null : await probeVideo(input);
  const fps = info?.fps ?? options.folderFps ?? 30;
  const writer = openDatasetWriter(options.outDir, { overwrite: options.overwrite, pngCompressionLevel: 3 });
  try {
    // Pass 1: track every frame at full resolution.
    const tracker = await createFaceTracker();
    const raw: (Float32Array | null)[] = [];
    // The tracker's landmark depths, kept only when the fit uses them.
    const rawDepth: (Float32Array | null)[] = [];
    const boxes: [number, number, number, number][] = [];
    let widthPx = 0, heightPx = 0;
    const available = info ? info.frameCount : listImageFiles(input).length;
    const total = Math.min(options.maxFrames ?? Infinity, available);
    const trackBar = new ProgressBar({ label: "track", total, unit: "frame", stream: options.progress });
    try {
      for await (const frame of frames(input, isFolder, fps, { maxFrames: options.maxFrames })) {
        widthPx = frame.widthPx;
        heightPx = frame.heightPx;
        const face = await tracker.track(frame);
        raw.push(face ? face.landmarks : null);
        if (options.fitDepths) rawDepth.push(face ? Float32Array.from({ length: NUM_LANDMARKS }, (_, l) => face.landmarks3d[3 * l + 2]) : null);
        if (face) boxes.push(face.boxPx);
        trackBar.tick(1, { faces: boxes.length });
      }
    } finally {
      tracker.close();
    }
    trackBar.finish();
    if (raw.length === 0) throw new VideoError(`${input}: no frames could be read`);
    if (boxes.length === 0) throw new VideoError(`${input}: no face found in any of its ${raw.length} frames`);
    const trackSeconds = (performance.now() - started) / 1000;

    // Framing, and the landmarks in the coordinates of the output frames.
    const crop = stableCrop(boxes, widthPx, heightPx, cropScale);
    const scale = sizePx / crop.width;
    const inCrop = raw.map((lm) => {
      if (!lm) return null;
      const out = new Float32Array(lm.length);
      for (let i = 0; i < lm.length; i += 2) {
        out[i] = (lm[i] - crop.x) * scale;
        out[i + 1] = (lm[i + 1] - crop.y) * scale;
      }
      return out;
    });
    const smoothed = smoothTrack(inCrop, fps);

    // Fit on the raw landmarks: the fitter has its own temporal prior, without the filter's lag.
    const fitStarted = performance.now();
    const model = createFaceModel();
    const fit: FitResult = fitLandmarkTracks({
      landmarks2d: inCrop.map((lm) => (lm ? Array.from({ length: lm.length / 2 }, (_, i) => [lm[2 * i], lm[2 * i + 1]]) : null)),
      landmarkDepthsPx: options.fitDepths ? rawDepth.map((z) => (z ? z.map((v) => v * scale) : null)) : undefined,
      widthPx: sizePx,
      heightPx: sizePx,
      fps,
      model,
    });
    const fitSeconds = (performance.now() - fitStarted) / 1000;

    // Pass 2: cropped frames, masks, overlay, dataset entries.
    const writeStarted = performance.now();
    const matting = options.matting ?? "selfie";
    const matter = matting === "none" ? null : await createMatter({ model: matting });
    const camera = fit.camera;
    const overlayTriangles = faceOverlayTriangles(model);
    const bits = triangleRegionBits(model);
    const valFrom = Math.floor(raw.length * (1 - valFraction));
    const datasetFrames: DatasetInput["frames"] = [];
    const sheetEvery = Math.max(1, Math.floor(raw.length / 8));
    const sheet: ContactTile[] = [];
    const writeBar = new ProgressBar({ label: "write", total: raw.length, unit: "frame", stream: options.progress });
    const overlayFrames = async function* (): AsyncGenerator<Uint8Array> {
      for await (const frame of frames(input, isFolder, fps, { maxFrames: raw.length, crop, outSizePx: sizePx })) {
        const i = frame.index;
        const f = fit.frames[i];
        const stem = String(i).padStart(5, "0");
        const image = `frames/video/${stem}.png`;
        const pending: Promise<void>[] = [writer.writeImage(image, frame.rgb, sizePx, sizePx, 3)];
        const masks: Record<string, string> = {};
        if (matter) {
          masks.foreground = `masks/video/${stem}-fg.png`;
          pending.push(writer.writeMask(masks.foreground, await matter.matte(frame), sizePx, sizePx));
        }
        let overlay = frame.rgb;
        if (f.tracked) {
          const vertices = fittedVertices({ model, identity: fit.identity, expression: f.expression, ...f.headPose });
          const regions = rasterizeRegionMasks({ camera, verticesWorld: vertices, model, triangleBits: bits });
          for (const [name, mask] of Object.entries(regions)) {
            masks[name] = `masks/video/${stem}-${name}.png`;
            pending.push(writer.writeMask(masks[name], mask, sizePx, sizePx));
          }
          const lm = inCrop[i];
          overlay = drawFitOverlay({
            rgb: frame.rgb, widthPx: sizePx, heightPx: sizePx, camera, vertices, triangles: model.triangles, wireTriangles: overlayTriangles,
            landmarks2d: lm ? Array.from({ length: lm.length / 2 }, (_, k) => [lm[2 * k], lm[2 * k + 1]]) : undefined,
          });
        }
        await Promise.all(pending);
        const lm = inCrop[i];
        datasetFrames.push({
          index: i,
          timeSeconds: frame.timeSeconds,
          cameraId: "video",
          image,
          ...(Object.keys(masks).length ? { masks } : {}),
          tracked: f.tracked,
          expression: f.tracked ? f.expression : null,
          headPose: f.tracked ? f.headPose : null,
          landmarks2d: f.tracked && lm ? Array.from({ length: lm.length / 2 }, (_, k): [number, number] => [lm[2 * k], lm[2 * k + 1]]) : null,
          split: i >= valFrom ? "val" : "train",
        });
        if (i % sheetEvery === 0 && sheet.length < 8) {
          sheet.push({
            rgb: overlay, widthPx: sizePx, heightPx: sizePx,
            label: f.tracked ? `#${i} t=${frame.timeSeconds.toFixed(1)}s err ${(100 * f.meanErrorFraction).toFixed(2)}%` : `#${i} no face`,
          });
        }
        writeBar.tick(1);
        yield overlay;
      }
    };
    let overlayVideo: string | null = null;
    try {
      if (options.overlay) {
        await encodeVideo({ outPath: join(writer.stagingDir, VIDEO_CAPTURE_FILES.overlay), widthPx: sizePx, heightPx: sizePx, fps, frames: overlayFrames() });
        overlayVideo = join(writer.outDir, VIDEO_CAPTURE_FILES.overlay);
      } else {
        for await (const frame of overlayFrames()) void frame;
      }
    } finally {
      matter?.close();
    }
    writeBar.finish();
    const audio = info?.hasAudio ? await extractAudio(input) : null;
    if (audio) await writer.writeAudio("audio.wav", encodeWav(audio));
    await writeContactSheet({
      tiles: sheet,
      columns: 4,
      outPath: join(writer.stagingDir, VIDEO_CAPTURE_FILES.contactSheet),
      title: `${basename(input)}: ${boxes.length}/${raw.length} frames tracked, fit error ${(100 * fit.report.meanErrorFraction).toFixed(2)}% of the face box diagonal`,
    });
    const writeSeconds = (performance.now() - writeStarted) / 1000;
    const totalSeconds = (performance.now() - started) / 1000;
    const sides = inCrop.flatMap((lm) => (lm ? [boxSide(lm)] : []));
    const meanSide = sides.reduce((a, b) => a + b, 0) / sides.length;
    const report: VideoCaptureReport = {
      input,
      frames: raw.length,
      trackedFrames: boxes.length,
      untrackedFrames: raw.flatMap((lm, i) => (lm ? [] : [i])),
      crop,
      sizePx,
      fitMeanErrorPx: fit.report.meanErrorPx,
      fitMeanErrorOfBoxDiagonal: fit.report.meanErrorFraction,
      fitMeanErrorOfBoxSide: fit.report.meanErrorPx / meanSide,
      fitWorstFrameErrorOfBoxDiagonal: fit.report.maxFrameErrorFraction,
      focalPx: fit.focalPx,
      fitDepths: options.fitDepths === true,
      jitterRaw: landmarkJitter(inCrop),
      jitterSmoothed: landmarkJitter(smoothed),
      poseJitter: fit.report.poseJitter,
      hasAudio: audio !== null,
      matting,
      seconds: { track: trackSeconds, fit: fitSeconds, write: writeSeconds, total: totalSeconds },
      framesPerSecond: raw.length / totalSeconds,
    };
    writeFileSync(join(writer.stagingDir, VIDEO_CAPTURE_FILES.report), JSON.stringify(report, null, 2) + "\n");
    await writer.finish({
      format: "likeness-dataset",
      version: 1,
      name: basename(input).replace(/\.[^.]+$/, ""),
      source: { kind: "video", file: basename(input), fps },
      fps,
      faceModel: { identityNames: [...model.identityNames], expressionNames: [...model.expressionNames] },
      identity: fit.identity,
      cameras: [
        {
          id: "video",
          kind: "video",
          widthPx: sizePx,
          heightPx: sizePx,
          focalPx: [...camera.focalPx],
          principalPx: [...camera.principalPx],
          worldToCamera: { rotation: [...camera.worldToCamera.rotation], translation: [...camera.worldToCamera.translation] },
        },
      ],
      frames: datasetFrames,
      ...(audio ? { audio: { path: "audio.wav", sampleRate: audio.sampleRate, offsetSeconds: 0 } } : {}),
    });
    return { datasetDir: writer.outDir, contactSheet: join(writer.outDir, VIDEO_CAPTURE_FILES.contactSheet), overlayVideo, report };
  } catch (e) {
    writer.abort();
    throw e;
  }
}

/** Largest side of the box around the 468 mesh landmarks. */
function boxSide(lm: Float32Array): number {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < 468; i++) {
    x0 = Math.min(x0, lm[2 * i]);
    x1 = Math.max(x1, lm[2 * i]);
    y0 = Math.min(y0, lm[2 * i + 1]);
    y1 = Math.max(y1, lm[2 * i + 1]);
  }
  return Math.max(x1 - x0, y1 - y0);
}
