import { join } from "node:path";
import { noGrad, scope, tensor } from "../../core/index.js";
import { createFaceModel, FaceMaterial, type FaceModel } from "../../face/index.js";
import { projectPoints } from "../../geometry/camera.js";
import { axisAngleFromRotation, rotationFromYawPitchRoll, type RigidTransform, type Vec3 } from "../../geometry/rigid.js";
import type { DatasetInput } from "../dataset.js";
import { triangleRegionBits } from "../region-masks.js";
import { writeContactSheet, type ContactTile } from "../contact-sheet.js";
import { ProgressBar, type ProgressStream } from "../progress.js";
import { encodeWav } from "../wav.js";
import { openDatasetWriter } from "../write.js";
import type { BuiltInSubject } from "./appearance.js";
import { shFromLights } from "./lighting.js";
import { expressionSweep, headMotion, lightingSequence, speechMotion, type MotionFrame } from "./motion.js";
import { phonemesFromText } from "./phonemes.js";
import { REGION_EYES, REGION_FACE, REGION_MOUTH, renderSynthFrame, SURFACE_KINDS, type SurfaceKind, type SynthScene } from "./render.js";
import { cameraForFrame, domeRig, frontRig, headsetRig, type RigCamera } from "./rigs.js";
import { makeShoulders } from "./shoulders.js";
import { espeakAvailable, speakWithEspeak } from "./espeak.js";
import { synthesizeSpeech } from "./speech.js";

/**
 * Motion sequences a synthetic capture can script. `performance` is what a portrait
 * video holds: the expression sweep, then speech, with natural head motion (at 60%
 * of the `head` sequence's range) throughout; `all` is every sequence in turn.
 */
export const SYNTH_SEQUENCES = ["expressions", "head", "speech", "lighting", "performance", "all"] as const;
export type SynthSequence = (typeof SYNTH_SEQUENCES)[number];
/** Capture rigs. */
export const SYNTH_RIGS = ["front", "dome", "headset"] as const;
export type SynthRig = (typeof SYNTH_RIGS)[number];

/** File name of the contact sheet inside a captured dataset. */
export const CONTACT_SHEET_FILE = "contact-sheet.png";

/** Voices of synthetic speech: espeak-ng when installed (`auto`), or the built-in formant synthesizer. */
export const SYNTH_VOICES = ["auto", "espeak", "formant"] as const;
export type SynthVoice = (typeof SYNTH_VOICES)[number];

/** Options of {@link captureSynthetic}. */
export interface SynthCaptureOptions {
  subject: BuiltInSubject;
  outDir: string;
  /** Image size in pixels (square). */
  sizePx: number;
  rig: SynthRig;
  /** Cameras of the dome rig. */
  domeCameras: number;
  sequence: SynthSequence;
  /** Frames per expression parameter in the expression sweep. */
  framesPerExpression: number;
  /** Stop after this many time steps (all cameras of a step count as one). */
  maxFrames?: number;
  fps: number;
  /** What the subject says in the speech sequence (any English with espeak-ng; words of the built-in lexicon with the formant voice). */
  sentence: string;
  /** Which voice speaks; default `auto`. */
  voice?: SynthVoice;
  seed: number;
  /**
   * Shading samples per pixel along each axis (the pixel's area is integrated on an
   * n x n grid, as a sensor does); default {@link DEFAULT_SAMPLES_PER_AXIS}.
   */
  samplesPerAxis?: number;
  overwrite: boolean;
  progress?: ProgressStream;
}

/** Shading samples per pixel along each axis unless a capture names its own: 3 x 3 per pixel. */
export const DEFAULT_SAMPLES_PER_AXIS = 3;

/** What a capture wrote. */
export interface SynthCaptureResult {
  datasetDir: string;
  contactSheet: string;
  timeSteps: number;
  images: number;
  seconds: number;
}

/** Surface of each face-model material. */
function surfaceOf(material: number, hairStyle: BuiltInSubject["appearance"]["hairStyle"]): SurfaceKind {
  switch (material) {
    case FaceMaterial.lips: return "lips";
    case FaceMaterial.scalp: return hairStyle === "none" ? "skin" : "hair";
    case FaceMaterial.eyeSocket: return "mouthInterior";
    case FaceMaterial.mouthInterior: return "mouthInterior";
    case FaceMaterial.teeth: return "teeth";
    case FaceMaterial.sclera:
    case FaceMaterial.iris:
    case FaceMaterial.pupil: return "eye";
    default: return "skin";
  }
}

/** The scripted time steps of a sequence, and the speech audio if it speaks. */
function scriptFrames(
  options: SynthCaptureOptions,
  model: FaceModel,
): { frames: MotionFrame[]; audio: Float32Array | null; sampleRate: number; audioOffsetS: number } {
  const { sequence, fps, seed } = options;
  const parts: MotionFrame[][] = [];
  let audio: Float32Array | null = null;
  let sampleRate = 16000;
  let audioOffsetS = 0;
  let t0 = 0;
  const append = (frames: MotionFrame[]): void => {
    parts.push(frames.map((f) => ({ ...f, timeSeconds: t0 + f.timeSeconds })));
    t0 += frames.length / fps;
  };
  const want = (s: SynthSequence): boolean => sequence === s || sequence === "all" || (sequence === "performance" && (s === "expressions" || s === "speech"));
  if (want("expressions")) append(expressionSweep({ expressionNames: model.expressionNames, framesPerParameter: options.framesPerExpression, fps }));
  if (want("head")) append(headMotion({ frames: 5 * fps, fps, seed }));
  if (want("speech")) {
    const voice = options.voice ?? "auto";
    const pitch = (seed * 0.618) % 1;
    let phonemes;
    if (voice === "espeak" || (voice === "auto" && espeakAvailable())) {
      const spoken = speakWithEspeak({ text: options.sentence, pitch: Math.round(30 + 40 * pitch) });
      ({ phonemes, audio, sampleRate } = spoken);
    } else {
      phonemes = phonemesFromText(options.sentence);
      audio = synthesizeSpeech({ phonemes, sampleRate, pitchHz: 110 + 90 * pitch, seed });
    }
    audioOffsetS = t0;
    append(speechMotion({ phonemes, fps, seed }));
  }
  if (want("lighting")) append(lightingSequence({ frames: 3 * fps, fps }));
  let frames = parts.flat();
  if (sequence === "performance") {
    const motion = headMotion({ frames: frames.length, fps, seed, amplitude: 0.6 });
    frames = frames.map((f, i) => ({ ...f, headYawPitchRoll: motion[i].headYawPitchRoll, headTranslation: motion[i].headTranslation }));
  }
  if (options.maxFrames !== undefined) frames = frames.slice(0, options.maxFrames);
  return { frames, audio, sampleRate, audioOffsetS };
}

/** SH lighting of a frame: the scripted key light, a dim fill from the other side, and ambient light. */
function frameLighting(f: MotionFrame): { sh: Float32Array; keyDirection: Vec3; keyColor: Vec3 } {
  const { azimuth, elevation, color } = f.keyLight;
  const key: Vec3 = [Math.sin(azimuth) * Math.cos(elevation), Math.sin(elevation), Math.cos(azimuth) * Math.cos(elevation)];
  const fill: Vec3 = [-0.6 * key[0], 0.1, 0.8];
  const sh = shFromLights(
    [
      { direction: key, color: [0.85 * color[0], 0.85 * color[1], 0.85 * color[2]] },
      { direction: fill, color: [0.25, 0.25, 0.27] },
    ],
    [0.12, 0.12, 0.13],
  );
  return { sh, keyDirection: key, keyColor: color };
}

/**
 * Time steps worth showing on the contact sheet: the peak of several expressions,
 * the widest head turns, and the extremes of the lighting sweep (at most 12).
 */
function contactSheetSteps(frames: readonly MotionFrame[]): number[] {
  const picks = new Set<number>();
  const argmax = (score: (f: MotionFrame) => number): void => {
    let best = -1, bestScore = 1e-6;
    frames.forEach((f, i) => {
      const v = score(f);
      if (v > bestScore) { bestScore = v; best = i; }
    });
    if (best >= 0) picks.add(best);
  };
  picks.add(0);
  for (const name of ["jawOpen", "mouthCornerUpLeft", "lipPucker", "blinkLeft", "browInnerRaise", "cheekPuff", "gazeYaw"]) {
    argmax((f) => Math.abs(f.expression[name] ?? 0));
  }
  argmax((f) => f.headYawPitchRoll[0]);
  argmax((f) => -f.headYawPitchRoll[0]);
  argmax((f) => (f.phoneme && f.phoneme !== "sil" ? (f.expression.jawOpen ?? 0) + 1 : 0));
  argmax((f) => f.keyLight.azimuth);
  argmax((f) => -f.keyLight.azimuth);
  return [...picks].sort((a, b) => a - b).slice(0, 12);
}

/** Indices of `names` entries in the model's expression vector. */
function expressionVector(model: FaceModel, weights: Readonly<Record<string, number>>): Float32Array {
  const v = new Float32Array(model.expressionNames.length);
  for (const [name, value] of Object.entries(weights)) {
    const i = model.expressionNames.indexOf(name);
    if (i < 0) throw new Error(`synthetic capture: the script sets '${name}', which the face model does not have`);
    v[i] = value;
  }
  return v;
}

/**
 * `likeness capture synth`: renders a scripted performance of a built-in subject
 * from a capture rig and writes a dataset (format v1) with exact ground truth
 * (expression, head pose, cameras, 2D and 3D landmarks, masks, phonemes, lighting,
 * speech audio) and a contact sheet PNG beside it. The dataset appears at
 * `outDir` complete or not at all.
 */
export async function captureSynthetic(options: SynthCaptureOptions): Promise<SynthCaptureResult> {
  const samplesPerAxis = options.samplesPerAxis ?? DEFAULT_SAMPLES_PER_AXIS;
  const started = performance.now();
  const model = createFaceModel();
  const { subject, sizePx, fps } = options;
  const identityValues = new Float32Array(model.identityNames.length);
  for (const [name, value] of Object.entries(subject.identity)) {
    const i = model.identityNames.indexOf(name);
    if (i < 0) throw new Error(`subject '${subject.name}': unknown identity parameter '${name}'`);
    identityValues[i] = value;
  }
  const identityOnly = (expression: Float32Array, pose?: RigidTransform): { vertices: Float32Array; normals: Float32Array; landmarks: Float32Array } =>
    scope(() =>
      noGrad(() => {
        const out = model.evaluate({
          identity: tensor(identityValues),
          expression: tensor(expression),
          pose: pose ? { rotation: tensor(axisAngleFromRotation(pose.rotation)), translation: tensor(pose.translation) } : undefined,
        });
        return { vertices: out.vertices.toArray(), normals: out.normals, landmarks: out.landmarks.toArray() };
      }),
    );
  const neutral = identityOnly(new Float32Array(model.expressionNames.length));
  // Writer first: an existing output is refused before any rendering.
  const writer = openDatasetWriter(options.outDir, { overwrite: options.overwrite, pngCompressionLevel: 3 });
  try {
    const lm = (i: number): Vec3 => [neutral.landmarks[3 * i], neutral.landmarks[3 * i + 1], neutral.landmarks[3 * i + 2]];
    const eyeCenter = (a: number): Vec3 => lm(a);
    const rig: RigCamera[] =
      options.rig === "front"
        ? frontRig({ sizePx })
        : options.rig === "dome"
          ? domeRig({ sizePx, count: options.domeCameras })
          : headsetRig({ sizePx, leftEye: eyeCenter(473), rightEye: eyeCenter(468), mouth: lm(13) });
    const headMounted = options.rig === "headset";
    // Shoulders join the neck at its lowest point; they stay put in the world (not for headsets).
    let neckBottom = Infinity;
    for (let i = 1; i < neutral.vertices.length; i += 3) neckBottom = Math.min(neckBottom, neutral.vertices[i]);
    const shoulders = makeShoulders(neckBottom + 0.06);
    const headTriangles = model.triangles.length / 3;
    const triangles = new Uint32Array(model.triangles.length + shoulders.triangles.length);
    triangles.set(model.triangles);
    for (let i = 0; i < shoulders.triangles.length; i++) triangles[model.triangles.length + i] = shoulders.triangles[i] + model.numVertices;
    const triangleSurface = new Uint8Array(triangles.length / 3);
    const triangleRegions = new Uint8Array(triangles.length / 3);
    triangleRegions.set(triangleRegionBits(model));
    for (let t = 0; t < headTriangles; t++) {
      triangleSurface[t] = SURFACE_KINDS.indexOf(surfaceOf(model.materials[t], subject.appearance.hairStyle));
    }
    triangleSurface.fill(SURFACE_KINDS.indexOf("cloth"), headTriangles);
    const concat3 = (a: Float32Array, b: Float32Array): Float32Array => {
      const out = new Float32Array(a.length + b.length);
      out.set(a);
      out.set(b, a.length);
      return out;
    };
    const verticesTemplate = concat3(neutral.vertices, shoulders.vertices);
    const brows = [
      [107, 66, 105, 63, 70].map(lm),
      [336, 296, 334, 293, 300].map(lm),
    ];
    const eyes = [468, 473].map((i, k) => {
      const center = model.topology.eyeCenters[k];
      const iris = lm(i);
      const axis: Vec3 = [iris[0] - center[0], iris[1] - center[1], iris[2] - center[2]];
      const n = Math.hypot(...axis);
      return { center: [center[0], center[1], center[2]] as Vec3, axis: [axis[0] / n, axis[1] / n, axis[2] / n] as Vec3, radius: model.topology.eyeRadius };
    });
    const { frames, audio, sampleRate, audioOffsetS } = scriptFrames(options, model);
    const valFrom = Math.floor(frames.length * 0.85);
    const bar = new ProgressBar({ label: `capture ${subject.name}`, total: frames.length, unit: "frame", stream: options.progress });
    const datasetFrames: DatasetInput["frames"] = [];
    const sheet: ContactTile[] = [];
    const sheetSteps = new Set(contactSheetSteps(frames));
    // Dome captures show at most four views of each chosen step.
    const sheetCameras = new Set(rig.filter((_, i) => i % Math.max(1, Math.ceil(rig.length / 4)) === 0).map((c) => c.id));
    for (let index = 0; index < frames.length; index++) {
      const f = frames[index];
      const pose: RigidTransform = headMounted
        ? { rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1], translation: [0, 0, 0] }
        : { rotation: rotationFromYawPitchRoll(...f.headYawPitchRoll), translation: f.headTranslation };
      const expression = expressionVector(model, f.expression);
      const head = identityOnly(expression, pose);
      const scene: SynthScene = {
        verticesWorld: concat3(head.vertices, shoulders.vertices),
        normalsWorld: concat3(head.normals, shoulders.normals),
        verticesTemplate,
        triangles: headMounted ? model.triangles : triangles,
        triangleSurface,
        triangleRegions,
        eyes,
        brows,
      };
      const lighting = frameLighting(f);
      const shCoefficients = Array.from({ length: 9 }, (_, k): [number, number, number] => [lighting.sh[k], lighting.sh[9 + k], lighting.sh[18 + k]]);
      const [ax, ay, az] = axisAngleFromRotation(pose.rotation);
      const [tx, ty, tz] = pose.translation;
      const headPose = { rotationAxisAngle: [ax, ay, az] as [number, number, number], translation: [tx, ty, tz] as [number, number, number] };
      for (const cam of rig) {
        const camera = cameraForFrame(cam, pose);
        const frame = renderSynthFrame({ camera, scene, appearance: subject.appearance, lighting, samplesPerAxis });
        const stem = String(index).padStart(5, "0");
        const image = `frames/${cam.id}/${stem}.png`;
        const mask = (name: string, bit: number): string => {
          const rel = `masks/${cam.id}/${stem}-${name}.png`;
          const m = bit === 0 ? frame.foreground : frame.regions.map((r) => (r & bit ? 255 : 0));
          pending.push(writer.writeMask(rel, m, sizePx, sizePx));
          return rel;
        };
        const pending: Promise<void>[] = [writer.writeImage(image, frame.rgb, sizePx, sizePx, 3)];
        const masks = { foreground: mask("fg", 0), face: mask("face", REGION_FACE), mouth: mask("mouth", REGION_MOUTH), eyes: mask("eyes", REGION_EYES) };
        await Promise.all(pending);
        const { pixels } = projectPoints(camera, head.landmarks);
        datasetFrames.push({
          index,
          timeSeconds: f.timeSeconds,
          cameraId: cam.id,
          image,
          masks,
          tracked: true,
          expression: Array.from(expression),
          headPose,
          landmarks2d: Array.from({ length: 478 }, (_, i): [number, number] => [pixels[2 * i], pixels[2 * i + 1]]),
          landmarks3d: Array.from({ length: 478 }, (_, i): [number, number, number] => [head.landmarks[3 * i], head.landmarks[3 * i + 1], head.landmarks[3 * i + 2]]),
          ...(f.phoneme ? { phoneme: f.phoneme } : {}),
          lighting: { shCoefficients },
          split: index >= valFrom ? "val" : "train",
        });
        if (sheetSteps.has(index) && sheetCameras.has(cam.id)) {
          sheet.push({ rgb: frame.rgb, widthPx: sizePx, heightPx: sizePx, label: `${cam.id} t=${f.timeSeconds.toFixed(2)}s${f.phoneme && f.phoneme !== "sil" ? ` /${f.phoneme}/` : ""}` });
        }
      }
      bar.tick(1);
    }
    bar.finish();
    if (audio) await writer.writeAudio("audio.wav", encodeWav({ sampleRate, channels: [audio] }));
    const sequenceName = options.sequence;
    const manifest: DatasetInput = {
      format: "likeness-dataset",
      version: 1,
      name: `${subject.name}-${options.rig}-${sequenceName}`,
      source: { kind: "synthetic", subject: subject.name, seed: options.seed },
      fps,
      faceModel: { identityNames: [...model.identityNames], expressionNames: [...model.expressionNames] },
      identity: Array.from(identityValues),
      cameras: rig.map((r) => ({
        id: r.id,
        kind: r.kind,
        widthPx: r.camera.widthPx,
        heightPx: r.camera.heightPx,
        focalPx: [...r.camera.focalPx],
        principalPx: [...r.camera.principalPx],
        worldToCamera: { rotation: [...r.camera.worldToCamera.rotation], translation: [...r.camera.worldToCamera.translation] },
      })),
      frames: datasetFrames,
      ...(audio ? { audio: { path: "audio.wav", sampleRate, offsetSeconds: audioOffsetS } } : {}),
    };
    await writeContactSheet({
      tiles: sheet,
      columns: sheetCameras.size > 1 ? sheetCameras.size : 4,
      outPath: join(writer.stagingDir, CONTACT_SHEET_FILE),
      title: `${manifest.name}: ${frames.length} time steps x ${rig.length} cameras`,
    });
    const dataset = await writer.finish(manifest);
    return {
      datasetDir: writer.outDir,
      contactSheet: join(writer.outDir, CONTACT_SHEET_FILE),
      timeSteps: frames.length,
      images: dataset.frames.length,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (e) {
    writer.abort();
    throw e;
  }
}
