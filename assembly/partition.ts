/** First index of thread `tid`'s share of `n` items split into `numThreads` contiguous ranges. */
// @ts-ignore: decorator
@inline
export function rangeStart(n: i32, tid: i32, numThreads: i32): i32 {
  return <i32>((<i64>n * <i64>tid) / <i64>numThreads);
}
