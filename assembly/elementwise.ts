import { rangeStart } from "./partition";

/** out[i] = a[i] + b[i] for n floats. */
export function addF32(a: usize, b: usize, out: usize, n: i32, tid: i32, numThreads: i32): void {
  const start = rangeStart(n, tid, numThreads);
  const end = rangeStart(n, tid + 1, numThreads);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const off = <usize>i << 2;
    v128.store(out + off, f32x4.add(v128.load(a + off), v128.load(b + off)));
  }
  for (; i < end; i++) {
    const off = <usize>i << 2;
    store<f32>(out + off, load<f32>(a + off) + load<f32>(b + off));
  }
}

/** y[i] += alpha * x[i] for n floats. */
export function axpyF32(x: usize, y: usize, n: i32, alpha: f32, tid: i32, numThreads: i32): void {
  const start = rangeStart(n, tid, numThreads);
  const end = rangeStart(n, tid + 1, numThreads);
  const va = f32x4.splat(alpha);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const off = <usize>i << 2;
    v128.store(y + off, f32x4.add(v128.load(y + off), f32x4.mul(va, v128.load(x + off))));
  }
  for (; i < end; i++) {
    const off = <usize>i << 2;
    store<f32>(y + off, load<f32>(y + off) + alpha * load<f32>(x + off));
  }
}
