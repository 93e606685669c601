// Elementwise arithmetic kernels: binary ops with broadcasting patterns, scalar
// ops, unary ops (exp and log from ./math) and their backward passes. Every kernel
// splits its flat output range over threads with rangeStart, so each thread writes
// a disjoint part.
//
// Binary op codes: 0 add (x + y), 1 sub (x - y), 2 mul (x * y), 3 div (x / y),
// 4 reversed sub (y - x), 5 reversed div (y / x). The reversed codes let one
// kernel serve "full op broadcast" and "broadcast op full".
// Unary op codes: 0 neg, 1 exp, 2 log, 3 sqrt, 4 square, 5 abs.
import { expV, logV, signV } from "./math";
import { rangeStart } from "./partition";

// ---- binary ops ----

// @ts-ignore: decorator
@inline
function binV(op: i32, x: v128, y: v128): v128 {
  if (op == 0) return f32x4.add(x, y);
  if (op == 1) return f32x4.sub(x, y);
  if (op == 2) return f32x4.mul(x, y);
  if (op == 3) return f32x4.div(x, y);
  if (op == 4) return f32x4.sub(y, x);
  return f32x4.div(y, x);
}

// @ts-ignore: decorator
@inline
function binS(op: i32, x: f32, y: f32): f32 {
  if (op == 0) return x + y;
  if (op == 1) return x - y;
  if (op == 2) return x * y;
  if (op == 3) return x / y;
  if (op == 4) return y - x;
  return y / x;
}

/** out[i] = x[i] op y[i] for i in [start, end). */
// @ts-ignore: decorator
@inline
function sameLoop(op: i32, x: usize, y: usize, out: usize, start: i32, end: i32): void {
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const off = <usize>i << 2;
    v128.store(out + off, binV(op, v128.load(x + off), v128.load(y + off)));
  }
  for (; i < end; i++) {
    const off = <usize>i << 2;
    store<f32>(out + off, binS(op, load<f32>(x + off), load<f32>(y + off)));
  }
}

/** out[i] = x[i] op s for i in [start, end). */
// @ts-ignore: decorator
@inline
function scalarLoop(op: i32, x: usize, s: f32, out: usize, start: i32, end: i32): void {
  const vs = f32x4.splat(s);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const off = <usize>i << 2;
    v128.store(out + off, binV(op, v128.load(x + off), vs));
  }
  for (; i < end; i++) {
    const off = <usize>i << 2;
    store<f32>(out + off, binS(op, load<f32>(x + off), s));
  }
}

/** out[i] = x[i] op y[i % cols] for i in [start, end): y broadcasts over rows. */
// @ts-ignore: decorator
@inline
function rowLoop(op: i32, x: usize, y: usize, out: usize, cols: i32, start: i32, end: i32): void {
  let i = start;
  while (i < end) {
    const c0 = i % cols;
    const rowEnd = min(end, i - c0 + cols);
    const base = <usize>(i - c0) << 2;
    let c = c0;
    const cEnd = c0 + rowEnd - i;
    for (; c + 4 <= cEnd; c += 4) {
      const off = <usize>c << 2;
      v128.store(out + base + off, binV(op, v128.load(x + base + off), v128.load(y + off)));
    }
    for (; c < cEnd; c++) {
      const off = <usize>c << 2;
      store<f32>(out + base + off, binS(op, load<f32>(x + base + off), load<f32>(y + off)));
    }
    i = rowEnd;
  }
}

/** out[i] = x[i] op y[i / cols] for i in [start, end): y holds one value per row. */
// @ts-ignore: decorator
@inline
function colLoop(op: i32, x: usize, y: usize, out: usize, cols: i32, start: i32, end: i32): void {
  let i = start;
  while (i < end) {
    const r = i / cols;
    const rowEnd = min(end, (r + 1) * cols);
    const s = load<f32>(y + (<usize>r << 2));
    scalarLoop(op, x, s, out, i, rowEnd);
    i = rowEnd;
  }
}

/** out[i] = x[i] op y[i] for n floats (same shapes). op: 0..3. */
export function binarySameF32(x: usize, y: usize, out: usize, n: i32, op: i32, tid: i32, numThreads: i32): void {
  const start = rangeStart(n, tid, numThreads);
  const end = rangeStart(n, tid + 1, numThreads);
  if (op == 0) sameLoop(0, x, y, out, start, end);
  else if (op == 1) sameLoop(1, x, y, out, start, end);
  else if (op == 2) sameLoop(2, x, y, out, start, end);
  else sameLoop(3, x, y, out, start, end);
}

/** out[i] = x[i] op s for n floats. op: 0..5 (4, 5: s - x, s / x). */
export function binaryScalarF32(x: usize, out: usize, n: i32, s: f32, op: i32, tid: i32, numThreads: i32): void {
  const start = rangeStart(n, tid, numThreads);
  const end = rangeStart(n, tid + 1, numThreads);
  if (op == 0) scalarLoop(0, x, s, out, start, end);
  else if (op == 1) scalarLoop(1, x, s, out, start, end);
  else if (op == 2) scalarLoop(2, x, s, out, start, end);
  else if (op == 3) scalarLoop(3, x, s, out, start, end);
  else if (op == 4) scalarLoop(4, x, s, out, start, end);
  else scalarLoop(5, x, s, out, start, end);
}

/** x [rows, cols], y [cols]: out[r, c] = x[r, c] op y[c]. op: 0..5. */
export function binaryRowF32(x: usize, y: usize, out: usize, rows: i32, cols: i32, op: i32, tid: i32, numThreads: i32): void {
  const n = rows * cols;
  const start = rangeStart(n, tid, numThreads);
  const end = rangeStart(n, tid + 1, numThreads);
  if (op == 0) rowLoop(0, x, y, out, cols, start, end);
  else if (op == 1) rowLoop(1, x, y, out, cols, start, end);
  else if (op == 2) rowLoop(2, x, y, out, cols, start, end);
  else if (op == 3) rowLoop(3, x, y, out, cols, start, end);
  else if (op == 4) rowLoop(4, x, y, out, cols, start, end);
  else rowLoop(5, x, y, out, cols, start, end);
}

/** x [rows, cols], y [rows]: out[r, c] = x[r, c] op y[r]. op: 0..5. */
export function binaryColF32(x: usize, y: usize, out: usize, rows: i32, cols: i32, op: i32, tid: i32, numThreads: i32): void {
  const n = rows * cols;
  const start = rangeStart(n, tid, numThreads);
  const end = rangeStart(n, tid + 1, numThreads);
  if (op == 0) colLoop(0, x, y, out, cols, start, end);
  else if (op == 1) colLoop(1, x, y, out, cols, start, end);
  else if (op == 2) colLoop(2, x, y, out, cols, start, end);
  else if (op == 3) colLoop(3, x, y, out, cols, start, end);
  else if (op == 4) colLoop(4, x, y, out, cols, start, end);
  else colLoop(5, x, y, out, cols, start, end);
}

/**
 * General broadcasting: out has dims d0..d5 (row-major, contiguous); x and y are
 * read at sum(i_k * sx_k) and sum(i_k * sy_k) floats (stride 0 on broadcast axes).
 * op: 0..3.
 */
export function binaryStridedF32(
  x: usize, y: usize, out: usize, op: i32,
  d0: i32, d1: i32, d2: i32, d3: i32, d4: i32, d5: i32,
  sx0: i32, sx1: i32, sx2: i32, sx3: i32, sx4: i32, sx5: i32,
  sy0: i32, sy1: i32, sy2: i32, sy3: i32, sy4: i32, sy5: i32,
  tid: i32, numThreads: i32,
): void {
  const n = d0 * d1 * d2 * d3 * d4 * d5;
  const start = rangeStart(n, tid, numThreads);
  const end = rangeStart(n, tid + 1, numThreads);
  if (start >= end) return;
  let rem = start;
  let i5 = rem % d5; rem /= d5;
  let i4 = rem % d4; rem /= d4;
  let i3 = rem % d3; rem /= d3;
  let i2 = rem % d2; rem /= d2;
  let i1 = rem % d1; rem /= d1;
  let i0 = rem;
  let pos = start;
  while (pos < end) {
    const ox = i0 * sx0 + i1 * sx1 + i2 * sx2 + i3 * sx3 + i4 * sx4 + i5 * sx5;
    const oy = i0 * sy0 + i1 * sy1 + i2 * sy2 + i3 * sy3 + i4 * sy4 + i5 * sy5;
    const len = min(d5 - i5, end - pos);
    const px = x + (<usize>ox << 2);
    const py = y + (<usize>oy << 2);
    const po = out + (<usize>pos << 2);
    const bx = <usize>sx5 << 2;
    const by = <usize>sy5 << 2;
    for (let j = 0; j < len; j++) {
      const a = load<f32>(px + <usize>j * bx);
      const b = load<f32>(py + <usize>j * by);
      let r: f32;
      if (op == 0) r = a + b;
      else if (op == 1) r = a - b;
      else if (op == 2) r = a * b;
      else r = a / b;
      store<f32>(po + (<usize>j << 2), r);
    }
    pos += len;
    i5 = 0;
    if (++i4 < d4) continue;
    i4 = 0;
    if (++i3 < d3) continue;
    i3 = 0;
    if (++i2 < d2) continue;
    i2 = 0;
    if (++i1 < d1) continue;
    i1 = 0;
    i0++;
  }
}

// ---- unary ops ----

// @ts-ignore: decorator
@inline
function unV(op: i32, x: v128): v128 {
  if (op == 0) return f32x4.neg(x);
  if (op == 1) return expV(x);
  if (op == 2) return logV(x);
  if (op == 3) return f32x4.sqrt(x);
  if (op == 4) return f32x4.mul(x, x);
  return f32x4.abs(x);
}

// @ts-ignore: decorator
@inline
function unaryLoop(op: i32, x: usize, out: usize, start: i32, end: i32): void {
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const off = <usize>i << 2;
    v128.store(out + off, unV(op, v128.load(x + off)));
  }
  for (; i < end; i++) {
    const off = <usize>i << 2;
    store<f32>(out + off, f32x4.extract_lane(unV(op, f32x4.splat(load<f32>(x + off))), 0));
  }
}

/** out[i] = f(x[i]) for n floats; op: 0 neg, 1 exp, 2 log, 3 sqrt, 4 square, 5 abs. */
export function unaryF32(x: usize, out: usize, n: i32, op: i32, tid: i32, numThreads: i32): void {
  const start = rangeStart(n, tid, numThreads);
  const end = rangeStart(n, tid + 1, numThreads);
  if (op == 0) unaryLoop(0, x, out, start, end);
  else if (op == 1) unaryLoop(1, x, out, start, end);
  else if (op == 2) unaryLoop(2, x, out, start, end);
  else if (op == 3) unaryLoop(3, x, out, start, end);
  else if (op == 4) unaryLoop(4, x, out, start, end);
  else unaryLoop(5, x, out, start, end);
}

// @ts-ignore: decorator
@inline
function unGradV(op: i32, x: v128, y: v128, g: v128): v128 {
  if (op == 0) return f32x4.neg(g);
  if (op == 1) return f32x4.mul(g, y);
  if (op == 2) return f32x4.div(g, x);
  if (op == 3) return f32x4.div(f32x4.mul(g, f32x4.splat(0.5)), y);
  if (op == 4) return f32x4.mul(f32x4.add(g, g), x);
  return f32x4.mul(g, signV(x));
}

// @ts-ignore: decorator
@inline
function unaryGradLoop(op: i32, x: usize, y: usize, g: usize, out: usize, start: i32, end: i32): void {
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const off = <usize>i << 2;
    v128.store(out + off, unGradV(op, v128.load(x + off), v128.load(y + off), v128.load(g + off)));
  }
  for (; i < end; i++) {
    const off = <usize>i << 2;
    const v = unGradV(op, f32x4.splat(load<f32>(x + off)), f32x4.splat(load<f32>(y + off)), f32x4.splat(load<f32>(g + off)));
    store<f32>(out + off, f32x4.extract_lane(v, 0));
  }
}

/**
 * Backward of {@link unaryF32}: out[i] = g[i] * f'(x[i]), using the forward
 * output y where f' is cheaper from it (exp: y; sqrt: 1 / (2 y)).
 */
export function unaryBackwardF32(x: usize, y: usize, g: usize, out: usize, n: i32, op: i32, tid: i32, numThreads: i32): void {
  const start = rangeStart(n, tid, numThreads);
  const end = rangeStart(n, tid + 1, numThreads);
  if (op == 0) unaryGradLoop(0, x, y, g, out, start, end);
  else if (op == 1) unaryGradLoop(1, x, y, g, out, start, end);
  else if (op == 2) unaryGradLoop(2, x, y, g, out, start, end);
  else if (op == 3) unaryGradLoop(3, x, y, g, out, start, end);
  else if (op == 4) unaryGradLoop(4, x, y, g, out, start, end);
  else unaryGradLoop(5, x, y, g, out, start, end);
}
