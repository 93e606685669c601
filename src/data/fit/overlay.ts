import { projectPoints, type PinholeCamera } from "../../geometry/camera.js";
import { rasterizeMesh } from "../../geometry/rasterize.js";
import { FaceRegion, type FaceModel } from "../../face/index.js";
import { FitError } from "./settings.js";

/** An 8-bit RGB colour. */
export type Rgb = readonly [number, number, number];

/** Options of {@link drawFitOverlay}. */
export interface DrawFitOverlayOptions {
  /** The frame, packed 8-bit RGB [heightPx * widthPx * 3], row-major; not modified. */
  rgb: Uint8Array;
  widthPx: number;
  heightPx: number;
  /** The camera the vertices are seen by (e.g. FitResult.camera). */
  camera: PinholeCamera;
  /** Fitted mesh vertices, world frame, metres [V * 3] (e.g. from fittedVertices). */
  vertices: Float32Array;
  /** Triangles [T * 3] (e.g. FaceModel.triangles), counter-clockwise seen from outside. */
  triangles: Uint32Array;
  /**
   * Indices of the triangles whose edges are drawn (default all); every
   * triangle still hides what is behind it. See {@link faceOverlayTriangles}.
   */
  wireTriangles?: Uint32Array;
  /** Tracked landmarks to mark as dots, `[x, y]` pixels (e.g. the frame's landmarks2d). */
  landmarks2d?: readonly (readonly number[])[];
  /** Wireframe colour; default light green. */
  wireColor?: Rgb;
  /** Wireframe opacity in [0, 1]; default 0.55. */
  wireOpacity?: number;
  /** Landmark dot colour; default orange-red. */
  landmarkColor?: Rgb;
}

/**
 * Draws a fitted mesh as a wireframe over a frame, with hidden lines removed,
 * and optionally the tracked landmarks as dots: the picture of a tracking
 * overlay video or a contact-sheet tile. Plain pixel drawing, no canvas: the
 * mesh is first rasterized into a depth buffer (rasterizeMesh), then every edge
 * of a front-facing triangle is stepped pixel by pixel (DDA) and blended where
 * it is not behind the surface. Returns a new RGB buffer of the frame's size.
 */
export function drawFitOverlay(options: DrawFitOverlayOptions): Uint8Array {
  const { rgb, widthPx: w, heightPx: h, camera, vertices, triangles } = options;
  if (rgb.length !== w * h * 3) throw new FitError(`drawFitOverlay: rgb has ${rgb.length} bytes, expected ${w}x${h}x3 = ${w * h * 3}`);
  if (camera.widthPx !== w || camera.heightPx !== h) throw new FitError(`drawFitOverlay: camera is ${camera.widthPx}x${camera.heightPx} but the frame is ${w}x${h}`);
  if (vertices.length % 3 !== 0 || triangles.length % 3 !== 0) throw new FitError("drawFitOverlay: vertices and triangles must be packed in threes");
  const out = Uint8Array.from(rgb);
  const wire = options.wireColor ?? [120, 255, 140];
  const alpha = Math.min(1, Math.max(0, options.wireOpacity ?? 0.55));
  const { pixels, depth } = projectPoints(camera, vertices);
  const raster = rasterizeMesh({ camera, verticesWorld: vertices, triangles });
  const blend = (x: number, y: number, color: Rgb, a: number): void => {
    const i = 3 * (y * w + x);
    for (let c = 0; c < 3; c++) out[i + c] = Math.round(out[i + c] * (1 - a) + color[c] * a);
  };
  const numVertices = vertices.length / 3;
  const drawn = new Set<number>();
  // Each pixel of the wire is blended once per edge; shared edges are drawn once.
  const drawEdge = (a: number, b: number): void => {
    const key = Math.min(a, b) * numVertices + Math.max(a, b);
    if (drawn.has(key)) return;
    drawn.add(key);
    const x0 = pixels[2 * a] - 0.5, y0 = pixels[2 * a + 1] - 0.5, x1 = pixels[2 * b] - 0.5, y1 = pixels[2 * b + 1] - 0.5;
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    let lastX = -1, lastY = -1;
    for (let s = 0; s <= steps; s++) {
      const t = s / steps;
      const x = Math.round(x0 + (x1 - x0) * t), y = Math.round(y0 + (y1 - y0) * t);
      if (x < 0 || y < 0 || x >= w || y >= h || (x === lastX && y === lastY)) continue;
      lastX = x;
      lastY = y;
      // Depth along the edge, interpolated in 1/z (perspective-correct); a small tolerance keeps edges on the surface visible.
      const z = 1 / ((1 - t) / depth[a] + t / depth[b]);
      if (z > raster.depth[y * w + x] * 1.01 + 2e-3) continue;
      blend(x, y, wire, alpha);
    }
  };
  const wireTriangles = options.wireTriangles ?? Uint32Array.from({ length: triangles.length / 3 }, (_, t) => t);
  for (const tri of wireTriangles) {
    const t = 3 * tri;
    if (t + 2 >= triangles.length) throw new FitError(`drawFitOverlay: wireTriangles names triangle ${tri}, but there are ${triangles.length / 3}`);
    const a = triangles[t], b = triangles[t + 1], c = triangles[t + 2];
    if (depth[a] <= 0 || depth[b] <= 0 || depth[c] <= 0) continue;
    // Counter-clockwise from outside is clockwise in y-down pixels: negative area faces the camera.
    const area = (pixels[2 * b] - pixels[2 * a]) * (pixels[2 * c + 1] - pixels[2 * a + 1]) - (pixels[2 * b + 1] - pixels[2 * a + 1]) * (pixels[2 * c] - pixels[2 * a]);
    if (area >= 0) continue;
    drawEdge(a, b);
    drawEdge(b, c);
    drawEdge(c, a);
  }
  if (options.landmarks2d) {
    const color = options.landmarkColor ?? [255, 80, 40];
    const radius = Math.max(0, Math.round(Math.min(w, h) / 400));
    for (const p of options.landmarks2d) {
      const cx = Math.floor(p[0]), cy = Math.floor(p[1]);
      if (!Number.isFinite(cx) || !Number.isFinite(cy)) continue;
      for (let dy = -radius; dy <= radius; dy++) {
        for (let dx = -radius; dx <= radius; dx++) {
          const x = cx + dx, y = cy + dy;
          if (x >= 0 && y >= 0 && x < w && y < h) blend(x, y, color, 1);
        }
      }
    }
  }
  return out;
}

/**
 * The triangles of the face proper (face-mesh skin, lips, eyelids, irises):
 * a lighter wireframe for {@link DrawFitOverlayOptions.wireTriangles} than the
 * whole head with its skull, neck and mouth interior.
 */
export function faceOverlayTriangles(model: FaceModel): Uint32Array {
  const keep = new Set<number>([FaceRegion.faceSkin, FaceRegion.lips, FaceRegion.eyelids, FaceRegion.iris]);
  const out: number[] = [];
  for (let t = 0; t < model.triangles.length / 3; t++) {
    if ([0, 1, 2].every((k) => keep.has(model.regions[model.triangles[3 * t + k]]))) out.push(t);
  }
  return Uint32Array.from(out);
}
