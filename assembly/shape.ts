// Copies between strided row blocks (reshape, slice, concat and their backward
// passes) and a blocked 2-D transpose. Threads split the output rows.
import { rangeStart } from "./partition";

/**
 * For every index (i0..i4) of the outer dims d0..d4, copies `inner` contiguous
 * floats from src + sum(i_k * ss_k) to dst + sum(i_k * ds_k) (offsets and strides
 * in floats). Slices, concatenation pieces and their adjoints are all this copy.
 */
export function copyBlocksF32(
  src: usize, dst: usize,
  d0: i32, d1: i32, d2: i32, d3: i32, d4: i32, inner: i32,
  ss0: i32, ss1: i32, ss2: i32, ss3: i32, ss4: i32,
  ds0: i32, ds1: i32, ds2: i32, ds3: i32, ds4: i32,
  tid: i32, numThreads: i32,
): void {
  const rows = d0 * d1 * d2 * d3 * d4;
  const start = rangeStart(rows, tid, numThreads);
  const end = rangeStart(rows, tid + 1, numThreads);
  const bytes = <usize>inner << 2;
  for (let row = start; row < end; row++) {
    let rem = row;
    const i4 = rem % d4; rem /= d4;
    const i3 = rem % d3; rem /= d3;
    const i2 = rem % d2; rem /= d2;
    const i1 = rem % d1; rem /= d1;
    const i0 = rem;
    const so = i0 * ss0 + i1 * ss1 + i2 * ss2 + i3 * ss3 + i4 * ss4;
    const dof = i0 * ds0 + i1 * ds1 + i2 * ds2 + i3 * ds3 + i4 * ds4;
    memory.copy(dst + (<usize>dof << 2), src + (<usize>so << 2), bytes);
  }
}

/**
 * src [rows, cols] -> dst [cols, rows], in 16 x 16 tiles so both sides touch whole
 * cache lines. Threads split the tile rows of dst.
 */
export function transpose2dF32(src: usize, dst: usize, rows: i32, cols: i32, tid: i32, numThreads: i32): void {
  const tileRows = (cols + 15) >> 4;
  const start = rangeStart(tileRows, tid, numThreads);
  const end = rangeStart(tileRows, tid + 1, numThreads);
  for (let t = start; t < end; t++) {
    const c0 = t << 4;
    const c1 = min(cols, c0 + 16);
    for (let r0 = 0; r0 < rows; r0 += 16) {
      const r1 = min(rows, r0 + 16);
      for (let c = c0; c < c1; c++) {
        const to = dst + ((<usize>c * <usize>rows) << 2);
        for (let r = r0; r < r1; r++) {
          store<f32>(to + (<usize>r << 2), load<f32>(src + ((<usize>r * <usize>cols + <usize>c) << 2)));
        }
      }
    }
  }
}
