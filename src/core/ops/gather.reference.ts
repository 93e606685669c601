/** Plain-loop references for ./gather.ts. */

/** out[m] = x[indices[m]] for rows of `rowSize` values. */
export function gatherRowsReference(x: ArrayLike<number>, rowSize: number, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * rowSize);
  for (let m = 0; m < indices.length; m++) {
    for (let c = 0; c < rowSize; c++) out[m * rowSize + c] = x[indices[m] * rowSize + c];
  }
  return out;
}

/** out[indices[m]] += x[m] into `numRows` zero rows, accumulated in float64; also the backward of gather. */
export function scatterAddRowsReference(x: ArrayLike<number>, rowSize: number, indices: ArrayLike<number>, numRows: number): Float64Array {
  const out = new Float64Array(numRows * rowSize);
  for (let m = 0; m < indices.length; m++) {
    for (let c = 0; c < rowSize; c++) out[indices[m] * rowSize + c] += x[m * rowSize + c];
  }
  return out;
}
