/**
 * Float32 NHWC convolution and matMul kernels (oneDNN convolutions where built, im2col + OpenBLAS
 * sgemm otherwise and for matMul). Arguments are
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
  /** OpenBLAS threads (openblas_set_num_threads); the default is OPENBLAS_NUM_THREADS or the core count. matMuls under ~4 MFLOP run on one. */
  setThreads(n: number): void;
  getThreads(): number;
  /** openblas_get_config(), e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64" */
  blasConfig(): string;
  /** out[c] = sum over rows of x [rows, cols] (mean when dims[2] = 1), accumulated in double. dims: [rows, cols, mean] */
  sumLeading(x: Float32Array, out: Float32Array, dims: number[]): void;
  /**
   * Training batch norm of x [rows, c]: mean and variance over the rows, y = (x - mean) *
   * rsqrt(variance + epsilon) * scale + offset (scale/offset: c values, or rows / rowsPerScaleRow
   * rows of c). dims: [rows, c, rowsPerScaleRow]
   */
  batchNorm(x: Float32Array, scale: Float32Array, offset: Float32Array, y: Float32Array, mean: Float32Array, variance: Float32Array, dims: number[], epsilon: number): void;
  /** Its gradient (through the moments): dx, dscale, doffset. dims as batchNorm's */
  batchNormGrad(x: Float32Array, dy: Float32Array, scale: Float32Array, mean: Float32Array, variance: Float32Array, dx: Float32Array, dscale: Float32Array, doffset: Float32Array, dims: number[], epsilon: number): void;
  /** y = x < 0 ? alpha * x : x (LeakyRelu) */
  leakyRelu(x: Float32Array, y: Float32Array, alpha: number): void;
  /** dx = dy * step(x, alpha): 1 where x > 0, NaN where x is NaN, else alpha (LeakyRelu's gradient) */
  leakyReluGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, alpha: number): void;
  /**
   * One variable's Adam step, each operation rounded to float32 in tfjs's order: k = [beta1, beta2,
   * 1 - beta1, 1 - beta2, 1 - beta1^t, 1 - beta2^t, epsilon, -learningRate] (float32 values).
   * sums, when given: [sum g^2, sum wOut^2, sum (wOut - w)^2] in double.
   */
  adamUpdate(w: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, wOut: Float32Array, mOut: Float32Array, vOut: Float32Array, k: number[], sums: Float64Array | null): void;
  /** openblas_get_corename(): the kernel family OpenBLAS runs, e.g. "Haswell" */
  blasCorename(): string;
  /** which library runs conv2d / conv2dBackpropInput / conv2dBackpropFilter: 'onednn' where it was built (default), else 'openblas' */
  convLibrary(): 'onednn' | 'openblas';
  /** switch the convolutions' library (throws for 'onednn' when it is not built) */
  setConvLibrary(lib: 'onednn' | 'openblas'): void;
}

/**
 * The oneDNN convolutions (built only where oneDNN was found). Each conv returns false when it
 * leaves the shape to OpenBLAS (measured faster there, or oneDNN has no primitive for it).
 */
export interface OnednnKernels {
  conv2d(x: Float32Array, filter: Float32Array, y: Float32Array, dims: number[]): boolean;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, dims: number[]): boolean;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dfilter: Float32Array, dims: number[]): boolean;
  /** OpenMP threads of oneDNN (index.js sets OpenBLAS's count) */
  setThreads(n: number): void;
  getThreads(): number;
  /** activations: 'auto' (blocked unless a side has < 8 channels), 'any' (always blocked), 'nhwc' */
  setLayout(layout: 'auto' | 'any' | 'nhwc'): void;
  /** 'auto': leave to OpenBLAS the shapes measured faster there; 'all': every shape in oneDNN */
  setShapes(shapes: 'auto' | 'all'): void;
  info(): { version: string; isa: string; runtime: string; layout: string; shapes: string };
  /** the primitives created so far: impl e.g. 'jit:avx2', '' where the shape went to OpenBLAS */
  primitives(): { op: string; dims: string; impl: string; layout: string }[];
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
  /** how idle worker threads wait: the variables set while OpenBLAS and oneDNN (OpenMP) loaded, e.g. 'OMP_WAIT_POLICY=passive, OPENBLAS_THREAD_TIMEOUT=4', or the user's own ('... (yours)') */
  threadWait: string;
  features: CpuFeatures;
  /** the convolutions' library: oneDNN (its version, the ISA it dispatched to, its threading runtime) or OpenBLAS and why */
  conv: { library: 'onednn'; version: string; isa: string; runtime: string; layout: string; chosenBy: string } | { library: 'openblas'; reason: string };
}

/** SkylakeX for AVX-512 F/BW/VL/DQ, Haswell for AVX2+FMA, Sandybridge for AVX, else null. */
export declare function chooseCoretype(f: CpuFeatures): { core: 'SkylakeX' | 'Haswell' | 'Sandybridge'; isa: string } | null;
export declare function cpuFeatures(): CpuFeatures;
export declare const family: KernelFamily | null;

export declare const available: boolean;
/** why `available` is false ('' when it is true) */
export declare const reason: string;
/** the kernels the runtime calls: OpenBLAS's, the convolutions routed to oneDNN where it runs */
export declare const addon: NativeKernels | null;
/** the OpenBLAS addon itself */
export declare const openblas: Omit<NativeKernels, 'convLibrary' | 'setConvLibrary'> | null;
/** the oneDNN addon, or null (onednnReason says why) */
export declare const onednn: OnednnKernels | null;
export declare const onednnReason: string;
