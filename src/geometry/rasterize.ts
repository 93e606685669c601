import { projectPoints, type PinholeCamera } from "./camera.js";

/** Per-pixel output of {@link rasterizeMesh}, row-major, `widthPx * heightPx` pixels. */
export interface RasterBuffers {
  readonly widthPx: number;
  readonly heightPx: number;
  /** Camera-frame depth z of the visible surface; `Infinity` where no triangle covers the pixel centre. */
  readonly depth: Float32Array;
  /** Index of the visible triangle, or -1. */
  readonly triangleId: Int32Array;
  /**
   * Perspective-correct barycentric weights (b1, b2) of the triangle's second and
   * third vertices at the pixel centre, two per pixel; b0 = 1 - b1 - b2.
   */
  readonly barycentrics: Float32Array;
}

/** Options for {@link rasterizeMesh}. */
export interface RasterizeOptions {
  camera: PinholeCamera;
  /** Vertex positions in world coordinates, packed [V*3]. */
  verticesWorld: Float32Array;
  /** Vertex indices, three per triangle [T*3]. */
  triangles: Uint32Array;
  /** Triangles with a vertex closer than this depth (world units) are skipped, not clipped. Default 1e-3. */
  nearDepth?: number;
}

/** The 2D edge function: twice the signed area of (a, b, p). */
function edge(ax: number, ay: number, bx: number, by: number, px: number, py: number): number {
  return (bx - ax) * (py - ay) - (by - ay) * (px - ax);
}

/**
 * Whether a point exactly on edge a->b belongs to the triangle: the top-left rule,
 * so that a pixel centre on an edge shared by two triangles is drawn exactly once.
 * Stated for triangles with positive {@link edge} area in y-down pixel coordinates.
 */
function ownsEdge(ax: number, ay: number, bx: number, by: number): boolean {
  const dy = by - ay;
  return dy > 0 || (dy === 0 && bx < ax);
}

/**
 * Rasterizes a triangle mesh with a depth test: for every pixel centre, the
 * nearest covering triangle, its depth and perspective-correct barycentrics.
 * Both windings are drawn (no back-face culling). On equal depth the triangle
 * with the lower index wins.
 */
export function rasterizeMesh({ camera, verticesWorld, triangles, nearDepth = 1e-3 }: RasterizeOptions): RasterBuffers {
  const { widthPx: w, heightPx: h } = camera;
  const { pixels, depth: vertexDepth } = projectPoints(camera, verticesWorld);
  const depth = new Float32Array(w * h).fill(Infinity);
  const triangleId = new Int32Array(w * h).fill(-1);
  const barycentrics = new Float32Array(2 * w * h);
  const numTriangles = triangles.length / 3;
  for (let t = 0; t < numTriangles; t++) {
    const i0 = triangles[3 * t], i1 = triangles[3 * t + 1], i2 = triangles[3 * t + 2];
    const z0 = vertexDepth[i0], z1 = vertexDepth[i1], z2 = vertexDepth[i2];
    if (z0 < nearDepth || z1 < nearDepth || z2 < nearDepth) continue;
    const x0 = pixels[2 * i0], y0 = pixels[2 * i0 + 1];
    let x1 = pixels[2 * i1], y1 = pixels[2 * i1 + 1];
    let x2 = pixels[2 * i2], y2 = pixels[2 * i2 + 1];
    let iz1 = 1 / z1, iz2 = 1 / z2;
    const iz0 = 1 / z0;
    let area = edge(x0, y0, x1, y1, x2, y2);
    if (area === 0 || !Number.isFinite(area)) continue;
    // Make the area positive by swapping vertices 1 and 2; swap the weights back at the end.
    const flipped = area < 0;
    if (flipped) {
      [x1, x2] = [x2, x1];
      [y1, y2] = [y2, y1];
      [iz1, iz2] = [iz2, iz1];
      area = -area;
    }
    const own0 = ownsEdge(x1, y1, x2, y2), own1 = ownsEdge(x2, y2, x0, y0), own2 = ownsEdge(x0, y0, x1, y1);
    const minX = Math.max(0, Math.ceil(Math.min(x0, x1, x2) - 0.5));
    const maxX = Math.min(w - 1, Math.floor(Math.max(x0, x1, x2) - 0.5));
    const minY = Math.max(0, Math.ceil(Math.min(y0, y1, y2) - 0.5));
    const maxY = Math.min(h - 1, Math.floor(Math.max(y0, y1, y2) - 0.5));
    const invArea = 1 / area;
    for (let py = minY; py <= maxY; py++) {
      const cy = py + 0.5;
      for (let px = minX; px <= maxX; px++) {
        const cx = px + 0.5;
        const w0 = edge(x1, y1, x2, y2, cx, cy);
        const w1 = edge(x2, y2, x0, y0, cx, cy);
        const w2 = edge(x0, y0, x1, y1, cx, cy);
        if (w0 < 0 || w1 < 0 || w2 < 0) continue;
        if ((w0 === 0 && !own0) || (w1 === 0 && !own1) || (w2 === 0 && !own2)) continue;
        // Screen-space weights, then perspective correction through 1/z.
        const l0 = w0 * invArea * iz0, l1 = w1 * invArea * iz1, l2 = w2 * invArea * iz2;
        const sum = l0 + l1 + l2;
        const z = 1 / sum;
        const p = py * w + px;
        if (!(z < depth[p])) continue;
        depth[p] = z;
        triangleId[p] = t;
        const b1 = l1 * z, b2 = l2 * z;
        barycentrics[2 * p] = flipped ? b2 : b1;
        barycentrics[2 * p + 1] = flipped ? b1 : b2;
      }
    }
  }
  return { widthPx: w, heightPx: h, depth, triangleId, barycentrics };
}

/**
 * Interpolates per-vertex attributes [V*C] over the rasterized pixels with their
 * barycentrics; returns [H*W*C], zero where no triangle is visible.
 */
export function interpolateAttributes(raster: RasterBuffers, triangles: Uint32Array, attributes: Float32Array, channels: number): Float32Array {
  const n = raster.widthPx * raster.heightPx;
  const out = new Float32Array(n * channels);
  for (let p = 0; p < n; p++) {
    const t = raster.triangleId[p];
    if (t < 0) continue;
    const b1 = raster.barycentrics[2 * p], b2 = raster.barycentrics[2 * p + 1], b0 = 1 - b1 - b2;
    const a0 = triangles[3 * t] * channels, a1 = triangles[3 * t + 1] * channels, a2 = triangles[3 * t + 2] * channels;
    for (let c = 0; c < channels; c++) {
      out[p * channels + c] = b0 * attributes[a0 + c] + b1 * attributes[a1 + c] + b2 * attributes[a2 + c];
    }
  }
  return out;
}

/**
 * Distance along each pixel-centre ray (the unit-direction rays of
 * generateRays) to the visible surface of a rasterized mesh, [H*W] row-major;
 * `Infinity` where no triangle covers the pixel. Camera-frame depth z becomes a
 * ray distance z * |((x + 0.5 - cx) / fx, (y + 0.5 - cy) / fy, 1)|.
 */
export function rayDistances(raster: RasterBuffers, camera: PinholeCamera): Float32Array {
  const { widthPx: w, heightPx: h, depth } = raster;
  const [fx, fy] = camera.focalPx;
  const [cx, cy] = camera.principalPx;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const v = (y + 0.5 - cy) / fy;
    for (let x = 0; x < w; x++) {
      const u = (x + 0.5 - cx) / fx;
      const p = y * w + x;
      out[p] = depth[p] * Math.sqrt(u * u + v * v + 1);
    }
  }
  return out;
}
