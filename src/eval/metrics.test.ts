import { describe, expect, it } from "vitest";
import { meanAbsoluteError, psnr, regionErrors } from "./metrics.js";
import { psnrReference, ssimReference } from "./metrics.reference.js";
import { ssim, ssimKernel, ssimWindowSize } from "./ssim.js";
import { EvalError } from "./error.js";

/** A seeded uniform generator (mulberry32), so the tests are deterministic. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomImage(w: number, h: number, seed: number, channels = 3): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: w * h * channels }, () => r());
}

/** Smooth gradients plus a disc: an image with structure, not just noise. */
function structuredImage(w: number, h: number, phase: number): Float32Array {
  const img = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const disc = (x - w / 2) ** 2 + (y - h / 2) ** 2 < (Math.min(w, h) / 3) ** 2 ? 0.4 : 0;
      img[(y * w + x) * 3] = 0.3 + 0.3 * Math.sin(x / 3 + phase) + disc * 0.5;
      img[(y * w + x) * 3 + 1] = (x + y) / (w + h);
      img[(y * w + x) * 3 + 2] = disc + 0.2 * Math.cos(y / 2 - phase);
    }
  }
  return img;
}

function addNoise(img: Float32Array, amplitude: number, seed: number): Float32Array {
  const r = rng(seed);
  return img.map((v) => v + amplitude * (r() - 0.5));
}

describe("psnr", () => {
  it("is Infinity for identical images and 20 dB for a constant offset of 0.1", () => {
    const a = randomImage(8, 6, 1);
    expect(psnr(a, a)).toBe(Number.POSITIVE_INFINITY);
    expect(psnr(a, a.map((v) => v + 0.1))).toBeCloseTo(20, 4);
    expect(psnr(a, a.map((v) => v - 0.01))).toBeCloseTo(40, 3);
    expect(psnr(a, a.map((v) => v + 0.1), { maxValue: 2 })).toBeCloseTo(20 + 20 * Math.log10(2), 4);
  });

  it("reads 8-bit images as value / 255", () => {
    const a = new Uint8Array(12).fill(100);
    const b = new Uint8Array(12).fill(100 + 51);
    expect(psnr(a, b)).toBeCloseTo(-20 * Math.log10(51 / 255), 6);
    expect(psnr(a, Float32Array.from(a, (v) => v / 255))).toBeGreaterThan(120); // float32 rounding only
  });

  it("counts only masked pixels, for 0..1 and 0..255 masks, and agrees with the reference", () => {
    const a = randomImage(5, 4, 2);
    const b = a.slice();
    for (let c = 0; c < 3; c++) b[c] += 0.5; // pixel 0 differs
    b[3 * 7] += 0.1; // pixel 7 differs
    const mask = new Uint8Array(20);
    mask[7] = 255;
    mask[8] = 255;
    // Pixel 7: one channel off by 0.1; pixel 8: none. MSE = 0.01 / 6.
    expect(psnr(a, b, { mask })).toBeCloseTo(10 * Math.log10(600), 4);
    expect(psnr(a, b, { mask: Float32Array.from(mask, (m) => m / 255) })).toBeCloseTo(10 * Math.log10(600), 4);
    const soft = Float32Array.from({ length: 20 }, (_, i) => (i % 3) / 2);
    expect(psnr(a, b, { mask: soft })).toBeCloseTo(psnrReference(a, b, { mask: soft }), 9);
    expect(psnr(a, b, { mask: new Uint8Array(20) })).toBeNaN();
  });

  it("rejects mismatched sizes and out-of-range float masks with an EvalError", () => {
    expect(() => psnr(new Float32Array(6), new Float32Array(9))).toThrow(EvalError);
    expect(() => psnr(new Float32Array(6), new Float32Array(6), { mask: new Float32Array([0, 255]) })).toThrow(/outside \[0, 1\]/);
    expect(() => psnr(new Float32Array(6), new Float32Array(6), { mask: new Uint8Array(3) })).toThrow(/one per pixel/);
  });
});

describe("meanAbsoluteError", () => {
  it("is the mean |a-b| over all values, masked when asked", () => {
    const a = new Float32Array([0, 0, 0, 1, 1, 1]);
    const b = new Float32Array([0.5, 0, 0, 1, 1, 0.7]);
    expect(meanAbsoluteError(a, b)).toBeCloseTo(0.8 / 6, 6);
    expect(meanAbsoluteError(a, b, { mask: new Uint8Array([0, 255]) })).toBeCloseTo(0.1, 6);
    expect(meanAbsoluteError(a, a)).toBe(0);
  });
});

describe("regionErrors", () => {
  it("gives each region's PSNR, L1 and size", () => {
    const a = new Float32Array(4 * 3).fill(0.5);
    const b = a.slice();
    b[0] = 0.7; // pixel 0, red
    const masks = { mouth: new Uint8Array([255, 0, 0, 0]), eyes: new Uint8Array([0, 255, 255, 0]), none: new Uint8Array(4) };
    const r = regionErrors({ a, b, masks });
    expect(r.mouth.l1).toBeCloseTo(0.2 / 3, 6);
    expect(r.mouth.psnrDb).toBeCloseTo(10 * Math.log10(3 / 0.04), 4);
    expect(r.mouth.maskedPixels).toBe(1);
    expect(r.eyes.psnrDb).toBe(Infinity);
    expect(r.eyes.l1).toBe(0);
    expect(r.eyes.maskedPixels).toBe(2);
    expect(r.none.psnrDb).toBeNaN();
  });
});

describe("ssim window", () => {
  it("is 11 wide, or the largest odd size that fits", () => {
    expect([1, 2, 3, 4, 10, 11, 12, 100].map(ssimWindowSize)).toEqual([1, 1, 3, 3, 9, 11, 11, 11]);
    const k = ssimKernel(11);
    expect(k.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(k[5] / k[4]).toBeCloseTo(Math.exp(1 / 4.5), 12);
  });
});

describe("ssim", () => {
  const sizes: [number, number][] = [[32, 24], [11, 11], [17, 40], [10, 7], [3, 5], [1, 1], [2, 12]];

  it("matches the per-window reference on random and structured images of several sizes", () => {
    for (const [w, h] of sizes) {
      const pairs = [
        [randomImage(w, h, w * 7 + h), randomImage(w, h, w * 13 + h)],
        [structuredImage(w, h, 0), addNoise(structuredImage(w, h, 0.3), 0.2, w + h)],
      ];
      for (const [a, b] of pairs) {
        const fast = ssim(a, b, { widthPx: w, heightPx: h });
        expect(fast).toBeCloseTo(ssimReference(a, b, { widthPx: w, heightPx: h }), 9);
      }
    }
  });

  it("matches the reference with a soft mask, on one channel, and on 8-bit images", () => {
    const [w, h] = [24, 20];
    const a = structuredImage(w, h, 0);
    const b = addNoise(a, 0.3, 5);
    const mask = Float32Array.from({ length: w * h }, (_, i) => ((i % w) > 12 ? 1 : 0.25));
    expect(ssim(a, b, { widthPx: w, heightPx: h, mask })).toBeCloseTo(ssimReference(a, b, { widthPx: w, heightPx: h, mask }), 9);
    const g = randomImage(w, h, 3, 1);
    const g2 = addNoise(g, 0.5, 4);
    expect(ssim(g, g2, { widthPx: w, heightPx: h, channels: 1 })).toBeCloseTo(ssimReference(g, g2, { widthPx: w, heightPx: h, channels: 1 }), 9);
    const a8 = Uint8Array.from(a, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
    const b8 = Uint8Array.from(b, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
    expect(ssim(a8, b8, { widthPx: w, heightPx: h })).toBeCloseTo(ssimReference(a8, b8, { widthPx: w, heightPx: h }), 9);
  });

  it("is 1 for identical images and symmetric", () => {
    const a = structuredImage(20, 16, 0);
    const b = addNoise(a, 0.2, 1);
    expect(ssim(a, a, { widthPx: 20, heightPx: 16 })).toBeCloseTo(1, 12);
    expect(ssim(a, b, { widthPx: 20, heightPx: 16 })).toBeCloseTo(ssim(b, a, { widthPx: 20, heightPx: 16 }), 12);
  });

  it("falls monotonically as noise grows", () => {
    const a = structuredImage(32, 32, 0);
    const scores = [0, 0.05, 0.1, 0.2, 0.4, 0.8].map((amp) => ssim(a, addNoise(a, amp, 9), { widthPx: 32, heightPx: 32 }));
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThan(scores[i - 1]);
    expect(scores[0]).toBeCloseTo(1, 12);
  });

  it("gives hand-derived values on tiny cases", () => {
    const c1 = 0.01 ** 2;
    const c2 = 0.03 ** 2;
    // Two constant images: no variance, so only luminance: (2 mu_a mu_b + C1) / (mu_a^2 + mu_b^2 + C1).
    const k = (2 * 0.5 * 0.25 + c1) / (0.25 + 0.0625 + c1);
    expect(k).toBeCloseTo(0.80006, 5);
    expect(ssim(new Float32Array(3).fill(0.5), new Float32Array(3).fill(0.25), { widthPx: 1, heightPx: 1 })).toBeCloseTo(k, 12);
    expect(ssim(new Float32Array(12 * 12 * 3).fill(0.5), new Float32Array(12 * 12 * 3).fill(0.25), { widthPx: 12, heightPx: 12 })).toBeCloseTo(k, 12);
    // 3x3 grey: a is a single bright centre pixel, b is black. The window is 3x3 with
    // 1D taps [e, 1, e] / (1 + 2e), e = exp(-1 / 4.5); the centre weight is wc = 1 / (1 + 2e)^2.
    // mu_a = wc, var_a = wc - wc^2, mu_b = var_b = cov = 0, so
    // SSIM = C1 C2 / ((wc^2 + C1) (wc - wc^2 + C2)).
    const e = Math.exp(-1 / 4.5);
    const wc = 1 / (1 + 2 * e) ** 2;
    expect(wc).toBeCloseTo(0.147761, 5);
    const expected = (c1 * c2) / ((wc * wc + c1) * (wc - wc * wc + c2));
    const a = new Float32Array(9);
    a[4] = 1;
    expect(ssim(a, new Float32Array(9), { widthPx: 3, heightPx: 3, channels: 1 })).toBeCloseTo(expected, 12);
    // a against itself scaled by 1/2: mu_b = wc/2, var_b = var_a/4, cov = var_a/2.
    const b = a.map((v) => v / 2);
    const va = wc - wc * wc;
    const expectedHalf = ((wc * wc + c1) * (va + c2)) / ((1.25 * wc * wc + c1) * (1.25 * va + c2));
    expect(ssim(a, b, { widthPx: 3, heightPx: 3, channels: 1 })).toBeCloseTo(expectedHalf, 12);
  });

  it("rejects a size that does not match the data", () => {
    expect(() => ssim(new Float32Array(12), new Float32Array(12), { widthPx: 3, heightPx: 2 })).toThrow(/expected 3x2x3/);
  });
});
