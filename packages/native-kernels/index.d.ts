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
  /** out[c] = sum over rows of x [rows, cols] (mean when dims[2] = 1), accumulated in double. dims: [rows, cols, mean] */
  sumLeading(x: Float32Array, out: Float32Array, dims: number[]): void;
  /** openblas_get_corename(): the kernel family OpenBLAS runs, e.g. "Haswell" */
  blasCorename(): string;
}

/** What the CPU offers, from CPUID (or /proc/cpuinfo's flags when the probe is not built). */
export interface CpuFeatures {
  /** 'x86', or 'other' / 'unknown' (then OpenBLAS keeps its own choice) */
  arch: string;
  vendor?: string;
  sse3?: boolean;
  /** AVX flags are true only when the OS also saves the registers (XCR0) */
  avx?: boolean;
  fma?: boolean;
  avx2?: boolean;
  avx512f?: boolean;
  avx512bw?: boolean;
  avx512vl?: boolean;
  avx512dq?: boolean;
  /** 'cpuid', '/proc/cpuinfo', ... */
  source: string;
}

/** The OpenBLAS kernel family in use and how it was chosen. */
export interface KernelFamily {
  library: 'openblas';
  /** openblas_get_corename(), e.g. "SkylakeX", "Haswell", "Sandybridge", "Zen", "Prescott" */
  core: string;
  /** instruction set of the chosen family: 'avx512', 'avx2+fma', 'avx', 'sse', or the arch */
  isa: string;
  /** 'cpu features (cpuid)', 'OPENBLAS_CORETYPE' (the user's), or 'openblas' (its own choice) */
  chosenBy: string;
  /** '' or why the family running differs from the one chosen */
  mismatch: string;
  /** why OpenBLAS runs the threads it does: 'OPENBLAS_NUM_THREADS' or 'openblas (one per core)' */
  threadsChosenBy: string;
  features: CpuFeatures;
}

/** SkylakeX for AVX-512 F/BW/VL/DQ, Haswell for AVX2+FMA, Sandybridge for AVX, else null. */
export declare function chooseCoretype(f: CpuFeatures): { core: 'SkylakeX' | 'Haswell' | 'Sandybridge'; isa: string } | null;
export declare function cpuFeatures(): CpuFeatures;
export declare const family: KernelFamily | null;

export declare const available: boolean;
/** why `available` is false ('' when it is true) */
export declare const reason: string;
export declare const addon: NativeKernels | null;
