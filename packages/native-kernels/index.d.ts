/**
 * Float32 NHWC convolution and matMul kernels (im2col + OpenBLAS sgemm). Arguments are
 * Float32Array views (e.g. of the wasm heap); outputs are written in place.
 *
 * Conv dims: [n, h, w, ci, kh, kw, co, oh, ow, strideH, strideW, padTop, padLeft, dilationH,
 * dilationW] for x [n,h,w,ci], filter [kh,kw,ci,co], y [n,oh,ow,co].
 * MatMul dims: [batchA, batchB, m, n, k, transposeA, transposeB] (a batch of 1 broadcasts).
 */
export interface NativeKernels {
  conv2d(x: Float32Array, filter: Float32Array, y: Float32Array, dims: number[]): void;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, dims: number[]): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dfilter: Float32Array, dims: number[]): void;
  matMul(a: Float32Array, b: Float32Array, c: Float32Array, dims: number[]): void;
  /** OpenBLAS threads (openblas_set_num_threads); the default is OPENBLAS_NUM_THREADS or the core count. */
  setThreads(n: number): void;
  getThreads(): number;
  /** openblas_get_config(), e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64" */
  blasConfig(): string;
}

export declare const available: boolean;
/** why `available` is false ('' when it is true) */
export declare const reason: string;
export declare const addon: NativeKernels | null;
