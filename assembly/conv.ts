// 2D convolution (NHWC activations, [kh, kw, inC, outC] weights) as implicit GEMM,
// plus the copies super-resolution networks need (pixel shuffle, nearest upsampling).
//
// The convolution kernels never test bounds: the TypeScript op first copies the
// input into a zero-padded buffer (convPadF32), so every tap of every output pixel
// reads real memory. The same copy, with dilation, turns the input gradient into a
// stride-1 forward convolution of the (dilated, padded) output gradient with
// flipped, transposed weights, so one fast kernel serves forward and dX.
//
// Weights are repacked (convPackWeightsF32) into blocks of 8 output channels
// (one register block: two f32x4),
// [block][ky][kx][ci][8], zero-filled past the last channel: the forward inner loop
// then reads one contiguous 32-byte row per tap and never needs a channel tail.
import { rangeStart } from "./partition";

/** Stores the first `n` (1..8) lanes of (v0, v1) at `p`. */
// @ts-ignore: decorator
@inline
function storePartial8(p: usize, v0: v128, v1: v128, n: i32): void {
  if (n >= 8) {
    v128.store(p, v0);
    v128.store(p, v1, 16);
    return;
  }
  if (n >= 4) {
    v128.store(p, v0);
    if (n > 4) store<f32>(p, f32x4.extract_lane(v1, 0), 16);
    if (n > 5) store<f32>(p, f32x4.extract_lane(v1, 1), 20);
    if (n > 6) store<f32>(p, f32x4.extract_lane(v1, 2), 24);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v0, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v0, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v0, 2), 8);
}

/**
 * Zero-padding, dilating, channel-padding copy of an NHWC tensor:
 * dst[b, y, x, c] = src[b, (y - offY) / dil, (x - offX) / dil, c] where the
 * division is exact, the source pixel exists and c < srcC; 0 elsewhere.
 * src [batch, srcH, srcW, srcC], dst [batch, dstH, dstW, dstC]. offY/offX may be
 * negative (cropping). Threads split the destination rows.
 */
export function convPadF32(
  src: usize, srcH: i32, srcW: i32, srcC: i32,
  dst: usize, dstH: i32, dstW: i32, dstC: i32,
  batch: i32, offY: i32, offX: i32, dil: i32,
  tid: i32, numThreads: i32,
): void {
  const rows = batch * dstH;
  const r0 = rangeStart(rows, tid, numThreads);
  const r1 = rangeStart(rows, tid + 1, numThreads);
  const copyC = min(srcC, dstC);
  const zero = f32x4.splat(0);
  for (let r = r0; r < r1; r++) {
    const b = r / dstH;
    const y = r - b * dstH;
    const dstRow = dst + ((<usize>r * <usize>dstW * <usize>dstC) << 2);
    const sy = y - offY;
    let rowValid = sy >= 0 && sy % dil == 0 && sy / dil < srcH;
    const srcRow = rowValid ? src + ((<usize>(b * srcH + sy / dil) * <usize>srcW * <usize>srcC) << 2) : 0;
    for (let x = 0; x < dstW; x++) {
      const d = dstRow + ((<usize>x * <usize>dstC) << 2);
      const sx = x - offX;
      let c = 0;
      if (rowValid && sx >= 0 && sx % dil == 0 && sx / dil < srcW) {
        const s = srcRow + ((<usize>(sx / dil) * <usize>srcC) << 2);
        for (; c + 4 <= copyC; c += 4) v128.store(d + (<usize>c << 2), v128.load(s + (<usize>c << 2)));
        for (; c < copyC; c++) store<f32>(d + (<usize>c << 2), load<f32>(s + (<usize>c << 2)));
      }
      for (; c + 4 <= dstC; c += 4) v128.store(d + (<usize>c << 2), zero);
      for (; c < dstC; c++) store<f32>(d + (<usize>c << 2), 0);
    }
  }
}

/**
 * Repacks conv weights w [kh, kw, cin, cout] into 8-channel output blocks
 * dst [ceil(outC / 8)][kh][kw][inC][8] (zero past the last channel).
 * flip = 0: the forward conv (inC = cin, outC = cout).
 * flip = 1: the conv that computes the input gradient at stride 1: spatially
 * flipped and transposed, dst tap (ky, kx, co) channel ci = w[kh-1-ky, kw-1-kx, ci, co]
 * (inC = cout, outC = cin). Threads split the blocks.
 */
export function convPackWeightsF32(
  w: usize, kh: i32, kw: i32, cin: i32, cout: i32, dst: usize, flip: i32,
  tid: i32, numThreads: i32,
): void {
  const inC = flip ? cout : cin;
  const outC = flip ? cin : cout;
  const blocks = (outC + 8 - 1) / 8;
  const taps = kh * kw * inC;
  const b0 = rangeStart(blocks, tid, numThreads);
  const b1 = rangeStart(blocks, tid + 1, numThreads);
  for (let cb = b0; cb < b1; cb++) {
    let d = dst + ((<usize>cb * <usize>taps * 8) << 2);
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        for (let i = 0; i < inC; i++) {
          for (let l = 0; l < 8; l++) {
            const o = cb * 8 + l;
            let v: f32 = 0;
            if (o < outC) {
              // Source index in w [kh, kw, cin, cout].
              const src = flip
                ? ((kh - 1 - ky) * kw + (kw - 1 - kx)) * cin * cout + o * cout + i
                : (ky * kw + kx) * cin * cout + i * cout + o;
              v = load<f32>(w + (<usize>src << 2));
            }
            store<f32>(d, v);
            d += 4;
          }
        }
      }
    }
  }
}

/**
 * Forward convolution of an already padded input, implicit GEMM:
 * out[b, oy, ox, co] = bias[co] + sum_{ky, kx, ci} x[b, oy*stride + ky, ox*stride + kx, ci] * w[ky, kx, ci, co].
 * x [batch, inH, inW, cin]; wPacked from convPackWeightsF32; bias: ceil(cout/8)*8
 * floats (read only if hasBias); out [batch, outH, outW, cout]. Register block:
 * 4 output pixels x 8 output channels (8 f32x4 accumulators). Threads split the
 * output rows.
 */
export function conv2dForwardF32(
  x: usize, inH: i32, inW: i32, cin: i32,
  wPacked: usize, kh: i32, kw: i32, cout: i32,
  bias: usize, hasBias: i32,
  out: usize, batch: i32, outH: i32, outW: i32, stride: i32,
  tid: i32, numThreads: i32,
): void {
  const rows = batch * outH;
  const r0 = rangeStart(rows, tid, numThreads);
  const r1 = rangeStart(rows, tid + 1, numThreads);
  // Taps of one kernel row are contiguous in NHWC: kx and ci flatten to one index.
  const rowTaps = kw * cin;
  const rowTapBytes = <usize>rowTaps << 2;
  const blockBytes = (<usize>(kh * rowTaps) * 8) << 2;
  const pix = (<usize>(stride * cin)) << 2;
  const inRowBytes = (<usize>inW * <usize>cin) << 2;
  const outPixBytes = <usize>cout << 2;
  const numBlocks = (cout + 8 - 1) / 8;
  const zero = f32x4.splat(0);
  for (let r = r0; r < r1; r++) {
    const b = r / outH;
    const oy = r - b * outH;
    const inRow = x + <usize>(b * inH + oy * stride) * inRowBytes;
    const outRow = out + <usize>r * <usize>outW * outPixBytes;
    for (let cb = 0; cb < numBlocks; cb++) {
      const wBlock = wPacked + <usize>cb * blockBytes;
      const co0 = cb * 8;
      const nco = min(8, cout - co0);
      let bias0 = zero;
      let bias1 = zero;
      if (hasBias) {
        bias0 = v128.load(bias + (<usize>co0 << 2));
        bias1 = v128.load(bias + (<usize>co0 << 2), 16);
      }
      let ox = 0;
      for (; ox + 4 <= outW; ox += 4) {
        let a00 = bias0, a01 = bias1, a10 = bias0, a11 = bias1;
        let a20 = bias0, a21 = bias1, a30 = bias0, a31 = bias1;
        let xr = inRow + <usize>ox * pix;
        let wp = wBlock;
        for (let ky = 0; ky < kh; ky++) {
          const xEnd = xr + rowTapBytes;
          for (let xp = xr; xp < xEnd; xp += 4) {
            const w0 = v128.load(wp);
            const w1 = v128.load(wp, 16);
            wp += 32;
            const x0 = v128.load32_splat(xp);
            a00 = f32x4.add(a00, f32x4.mul(x0, w0));
            a01 = f32x4.add(a01, f32x4.mul(x0, w1));
            const x1 = v128.load32_splat(xp + pix);
            a10 = f32x4.add(a10, f32x4.mul(x1, w0));
            a11 = f32x4.add(a11, f32x4.mul(x1, w1));
            const x2 = v128.load32_splat(xp + 2 * pix);
            a20 = f32x4.add(a20, f32x4.mul(x2, w0));
            a21 = f32x4.add(a21, f32x4.mul(x2, w1));
            const x3 = v128.load32_splat(xp + 3 * pix);
            a30 = f32x4.add(a30, f32x4.mul(x3, w0));
            a31 = f32x4.add(a31, f32x4.mul(x3, w1));
          }
          xr += inRowBytes;
        }
        const o = outRow + <usize>ox * outPixBytes + (<usize>co0 << 2);
        storePartial8(o, a00, a01, nco);
        storePartial8(o + outPixBytes, a10, a11, nco);
        storePartial8(o + 2 * outPixBytes, a20, a21, nco);
        storePartial8(o + 3 * outPixBytes, a30, a31, nco);
      }
      for (; ox < outW; ox++) {
        let a00 = bias0, a01 = bias1;
        let xr = inRow + <usize>ox * pix;
        let wp = wBlock;
        for (let ky = 0; ky < kh; ky++) {
          const xEnd = xr + rowTapBytes;
          for (let xp = xr; xp < xEnd; xp += 4) {
            const x0 = v128.load32_splat(xp);
            a00 = f32x4.add(a00, f32x4.mul(x0, v128.load(wp)));
            a01 = f32x4.add(a01, f32x4.mul(x0, v128.load(wp, 16)));
            wp += 32;
          }
          xr += inRowBytes;
        }
        storePartial8(outRow + <usize>ox * outPixBytes + (<usize>co0 << 2), a00, a01, nco);
      }
    }
  }
}

/**
 * Weight gradient of a convolution over an already padded input:
 * dw[ky, kx, ci, co] = sum_{b, oy, ox} x[b, oy*stride + ky, ox*stride + kx, ci] * dy[b, oy, ox, co].
 * x [batch, inH, inW, cin]; dy [batch, outH, outW, dyC] with dyC a multiple of 8
 * (channels >= cout are ignored); dw [kh, kw, cin, dyC] (the caller crops to cout).
 * Threads split the weight tiles (4 taps x 8 channels; 6 taps spill registers and
 * ran 40% slower), so no partial sums need merging; every thread sweeps the pixels
 * one output row at a time so the row's data stays in cache while all of its tiles
 * are updated.
 */
export function conv2dWeightGradF32(
  x: usize, inH: i32, inW: i32, cin: i32,
  dy: usize, dyC: i32, batch: i32, outH: i32, outW: i32, stride: i32,
  dw: usize, kh: i32, kw: i32,
  tid: i32, numThreads: i32,
): void {
  const rowTaps = kw * cin;
  const tilesPerRow = (rowTaps + 3) / 4;
  const numBlocks = dyC / 8;
  const units = kh * tilesPerRow * numBlocks;
  const u0 = rangeStart(units, tid, numThreads);
  const u1 = rangeStart(units, tid + 1, numThreads);
  if (u0 >= u1) return;
  const pix = (<usize>(stride * cin)) << 2;
  const inRowBytes = (<usize>inW * <usize>cin) << 2;
  const dyPix = <usize>dyC << 2;
  const dwRow = <usize>dyC << 2;
  const zero = f32x4.splat(0);
  const rows = batch * outH;
  for (let r = 0; r < rows; r++) {
    const b = r / outH;
    const oy = r - b * outH;
    const first = r == 0;
    const inRow = x + <usize>(b * inH + oy * stride) * inRowBytes;
    const dyRow = dy + <usize>r * <usize>outW * dyPix;
    for (let u = u0; u < u1; u++) {
      const cb = u % numBlocks;
      const t = u / numBlocks;
      const ky = t / tilesPerRow;
      const j0 = (t - ky * tilesPerRow) * 4;
      const nj = min(4, rowTaps - j0);
      const xBase = inRow + <usize>ky * inRowBytes + (<usize>j0 << 2);
      const dyBase = dyRow + (<usize>(cb * 8) << 2);
      const dwBase = dw + (<usize>(ky * rowTaps + j0) * dwRow) + (<usize>(cb * 8) << 2);
      if (nj == 4) {
        let a00 = zero, a01 = zero, a10 = zero, a11 = zero;
        let a20 = zero, a21 = zero, a30 = zero, a31 = zero;
        let xp = xBase;
        let dp = dyBase;
        for (let ox = 0; ox < outW; ox++) {
          const d0 = v128.load(dp);
          const d1 = v128.load(dp, 16);
          const x0 = v128.load32_splat(xp);
          a00 = f32x4.add(a00, f32x4.mul(x0, d0));
          a01 = f32x4.add(a01, f32x4.mul(x0, d1));
          const x1 = v128.load32_splat(xp, 4);
          a10 = f32x4.add(a10, f32x4.mul(x1, d0));
          a11 = f32x4.add(a11, f32x4.mul(x1, d1));
          const x2 = v128.load32_splat(xp, 8);
          a20 = f32x4.add(a20, f32x4.mul(x2, d0));
          a21 = f32x4.add(a21, f32x4.mul(x2, d1));
          const x3 = v128.load32_splat(xp, 12);
          a30 = f32x4.add(a30, f32x4.mul(x3, d0));
          a31 = f32x4.add(a31, f32x4.mul(x3, d1));
          xp += pix;
          dp += dyPix;
        }
        if (!first) {
          a00 = f32x4.add(a00, v128.load(dwBase));
          a01 = f32x4.add(a01, v128.load(dwBase, 16));
          a10 = f32x4.add(a10, v128.load(dwBase + dwRow));
          a11 = f32x4.add(a11, v128.load(dwBase + dwRow, 16));
          a20 = f32x4.add(a20, v128.load(dwBase + 2 * dwRow));
          a21 = f32x4.add(a21, v128.load(dwBase + 2 * dwRow, 16));
          a30 = f32x4.add(a30, v128.load(dwBase + 3 * dwRow));
          a31 = f32x4.add(a31, v128.load(dwBase + 3 * dwRow, 16));
        }
        v128.store(dwBase, a00);
        v128.store(dwBase, a01, 16);
        v128.store(dwBase + dwRow, a10);
        v128.store(dwBase + dwRow, a11, 16);
        v128.store(dwBase + 2 * dwRow, a20);
        v128.store(dwBase + 2 * dwRow, a21, 16);
        v128.store(dwBase + 3 * dwRow, a30);
        v128.store(dwBase + 3 * dwRow, a31, 16);
      } else {
        for (let j = 0; j < nj; j++) {
          let a00 = zero, a01 = zero;
          let xp = xBase + (<usize>j << 2);
          let dp = dyBase;
          for (let ox = 0; ox < outW; ox++) {
            const x0 = v128.load32_splat(xp);
            a00 = f32x4.add(a00, f32x4.mul(x0, v128.load(dp)));
            a01 = f32x4.add(a01, f32x4.mul(x0, v128.load(dp, 16)));
            xp += pix;
            dp += dyPix;
          }
          const o = dwBase + <usize>j * dwRow;
          if (!first) {
            a00 = f32x4.add(a00, v128.load(o));
            a01 = f32x4.add(a01, v128.load(o, 16));
          }
          v128.store(o, a00);
          v128.store(o, a01, 16);
        }
      }
    }
  }
}

/**
 * Bias gradient: db[c] = sum over all `pixels` rows of dy [pixels, channels].
 * Threads split the channels (in groups of 4).
 */
export function conv2dBiasGradF32(dy: usize, pixels: i32, channels: i32, db: usize, tid: i32, numThreads: i32): void {
  const groups = (channels + 3) >> 2;
  const g0 = rangeStart(groups, tid, numThreads);
  const g1 = rangeStart(groups, tid + 1, numThreads);
  const rowBytes = <usize>channels << 2;
  for (let g = g0; g < g1; g++) {
    const c0 = g << 2;
    if (c0 + 4 <= channels) {
      let s = f32x4.splat(0);
      let p = dy + (<usize>c0 << 2);
      for (let i = 0; i < pixels; i++) {
        s = f32x4.add(s, v128.load(p));
        p += rowBytes;
      }
      v128.store(db + (<usize>c0 << 2), s);
    } else {
      for (let c = c0; c < channels; c++) {
        let s: f32 = 0;
        let p = dy + (<usize>c << 2);
        for (let i = 0; i < pixels; i++) {
          s += load<f32>(p);
          p += rowBytes;
        }
        store<f32>(db + (<usize>c << 2), s);
      }
    }
  }
}

/** Copies n floats from s to d (f32x4 then scalar). */
// @ts-ignore: decorator
@inline
function copyFloats(d: usize, s: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(d + (<usize>i << 2), v128.load(s + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(d + (<usize>i << 2), load<f32>(s + (<usize>i << 2)));
}

/**
 * Depth-to-space (pixel shuffle) and its inverse, NHWC, channel order of
 * tf.depthToSpace: deep[b, y, x, (i*r + j)*c + k] <-> wide[b, y*r + i, x*r + j, k].
 * deep [batch, h, w, c*r*r], wide [batch, h*r, w*r, c]. toWide = 1 writes wide
 * from deep (forward), 0 writes deep from wide (backward). For fixed (y, x, i) both
 * sides hold r*c contiguous floats, so the kernel is a series of block copies.
 * Threads split the (b, y) rows of deep.
 */
export function pixelShuffleF32(
  deep: usize, wide: usize, batch: i32, h: i32, w: i32, c: i32, r: i32, toWide: i32,
  tid: i32, numThreads: i32,
): void {
  const rows = batch * h;
  const r0 = rangeStart(rows, tid, numThreads);
  const r1 = rangeStart(rows, tid + 1, numThreads);
  const run = r * c;
  const wideRowFloats = <usize>w * <usize>run;
  for (let row = r0; row < r1; row++) {
    const deepRow = deep + ((<usize>row * <usize>w * <usize>(run * r)) << 2);
    // Wide row index of (b, y, i) is row*r + i.
    for (let x = 0; x < w; x++) {
      for (let i = 0; i < r; i++) {
        const dp = deepRow + ((<usize>(x * r + i) * <usize>run) << 2);
        const wp = wide + (((<usize>(row * r + i)) * wideRowFloats + <usize>x * <usize>run) << 2);
        if (toWide) copyFloats(wp, dp, run);
        else copyFloats(dp, wp, run);
      }
    }
  }
}

/**
 * Nearest-neighbour upsampling by an integer factor r, NHWC:
 * out[b, y*r + i, x*r + j, k] = src[b, y, x, k]. src [batch, h, w, c],
 * out [batch, h*r, w*r, c]. Threads split the (b, y) rows of src.
 */
export function upsampleNearestF32(
  src: usize, out: usize, batch: i32, h: i32, w: i32, c: i32, r: i32,
  tid: i32, numThreads: i32,
): void {
  const rows = batch * h;
  const r0 = rangeStart(rows, tid, numThreads);
  const r1 = rangeStart(rows, tid + 1, numThreads);
  const outRowBytes = (<usize>w * <usize>r * <usize>c) << 2;
  const pixBytes = <usize>c << 2;
  for (let row = r0; row < r1; row++) {
    const s = src + <usize>row * <usize>w * pixBytes;
    const o = out + <usize>row * <usize>r * outRowBytes;
    for (let x = 0; x < w; x++) {
      for (let j = 0; j < r; j++) {
        copyFloats(o + <usize>(x * r + j) * pixBytes, s + <usize>x * pixBytes, c);
      }
    }
    // The other r-1 output rows repeat the first.
    for (let i = 1; i < r; i++) copyFloats(o + <usize>i * outRowBytes, o, <i32>(outRowBytes >> 2));
  }
}

/**
 * Gradient of {@link upsampleNearestF32}: dx[b, y, x, k] = sum_{i, j < r}
 * dout[b, y*r + i, x*r + j, k]. Threads split the (b, y) rows of dx.
 */
export function upsampleNearestGradF32(
  dout: usize, dx: usize, batch: i32, h: i32, w: i32, c: i32, r: i32,
  tid: i32, numThreads: i32,
): void {
  const rows = batch * h;
  const r0 = rangeStart(rows, tid, numThreads);
  const r1 = rangeStart(rows, tid + 1, numThreads);
  const outRowBytes = (<usize>w * <usize>r * <usize>c) << 2;
  const pixBytes = <usize>c << 2;
  for (let row = r0; row < r1; row++) {
    const g = dout + <usize>row * <usize>r * outRowBytes;
    const d = dx + <usize>row * <usize>w * pixBytes;
    for (let x = 0; x < w; x++) {
      const dp = d + <usize>x * pixBytes;
      let k = 0;
      for (; k + 4 <= c; k += 4) {
        let s = f32x4.splat(0);
        for (let i = 0; i < r; i++) {
          for (let j = 0; j < r; j++) {
            s = f32x4.add(s, v128.load(g + <usize>i * outRowBytes + <usize>(x * r + j) * pixBytes + (<usize>k << 2)));
          }
        }
        v128.store(dp + (<usize>k << 2), s);
      }
      for (; k < c; k++) {
        let s: f32 = 0;
        for (let i = 0; i < r; i++) {
          for (let j = 0; j < r; j++) {
            s += load<f32>(g + <usize>i * outRowBytes + <usize>(x * r + j) * pixBytes + (<usize>k << 2));
          }
        }
        store<f32>(dp + (<usize>k << 2), s);
      }
    }
  }
}
