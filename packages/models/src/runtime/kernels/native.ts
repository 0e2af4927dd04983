/**
 * Native kernels for the wasm backend (optional package @cgan/native-kernels: oneDNN convolutions
 * where it was built with them, im2col + OpenBLAS sgemm otherwise and for matMul; AVX2/AVX-512
 * FMA where the CPU has it). When the addon is built, Conv2D, FusedConv2D,
 * Conv2DBackpropInput (also conv2dTranspose), Conv2DBackpropFilter, BatchMatMul, _FusedMatMul
 * and LeakyRelu of float32 (NHWC) tensors run natively, reading their inputs straight from the wasm heap and
 * writing into a fresh wasm tensor (no copies). Anything else (NCHW, int dtypes, empty tensors)
 * and every kernel when the addon is missing run the wasm kernels registered before these.
 *
 * `setNativeKernels(false)` puts the previous kernels back; `nativeKernelsStatus()` says which
 * path runs and why.
 */
import { backend_util, getKernel, KernelConfig, KernelFunc, NamedAttrMap, registerKernel, TensorInfo, unregisterKernel, util } from '@tensorflow/tfjs-core';
import { release, runWasm, WasmBackendLike } from './wasm_util';

/** The addon's interface (packages/native-kernels/index.d.ts). */
export interface NativeKernelsAddon {
  conv2d(x: Float32Array, filter: Float32Array, y: Float32Array, dims: number[]): void;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, dims: number[]): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dfilter: Float32Array, dims: number[]): void;
  matMul(a: Float32Array, b: Float32Array, c: Float32Array, dims: number[]): void;
  setThreads(n: number): void;
  getThreads(): number;
  blasConfig(): string;
  blasCorename(): string;
  /** out[c] = sum (or mean) over rows of x [rows, cols]; absent from builds before it existed */
  sumLeading?(x: Float32Array, out: Float32Array, dims: number[]): void;
  /** training batch norm and its gradient (runtime/kernels/batch_norm.ts); dims [rows, c, rowsPerScaleRow] */
  batchNorm?(x: Float32Array, scale: Float32Array, offset: Float32Array, y: Float32Array, mean: Float32Array, variance: Float32Array, dims: number[], epsilon: number): void;
  batchNormGrad?(x: Float32Array, dy: Float32Array, scale: Float32Array, mean: Float32Array, variance: Float32Array, dx: Float32Array, dscale: Float32Array, doffset: Float32Array, dims: number[], epsilon: number): void;
  /** y = x < 0 ? alpha * x : x; absent from builds before it existed */
  leakyRelu?(x: Float32Array, y: Float32Array, alpha: number): void;
  /** dx = dy * step(x, alpha) (LeakyRelu's gradient, runtime/kernels/leaky_relu.ts) */
  leakyReluGrad?(dy: Float32Array, x: Float32Array, dx: Float32Array, alpha: number): void;
  /** one variable's Adam step (optimizers/fused_adam.ts); k = [b1, b2, 1-b1, 1-b2, 1-b1^t, 1-b2^t, eps, -lr] as float32 values */
  adamUpdate?(w: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, wOut: Float32Array, mOut: Float32Array, vOut: Float32Array, k: number[], sums: Float64Array | null): void;
  /** which library runs the convolutions: 'onednn' (where built) or 'openblas' */
  convLibrary?(): 'onednn' | 'openblas';
  setConvLibrary?(lib: 'onednn' | 'openblas'): void;
}

/** The OpenBLAS kernel family in use and how it was chosen (packages/native-kernels/index.d.ts). */
export interface NativeKernelFamily {
  library: string;
  /** e.g. "SkylakeX", "Haswell", "Sandybridge", "Zen", "Prescott" */
  core: string;
  /** 'avx512', 'avx2+fma', 'avx', 'sse', ... */
  isa: string;
  /** 'cpu features (cpuid)', 'OPENBLAS_CORETYPE' or 'openblas' */
  chosenBy: string;
  mismatch: string;
  /** why this many OpenBLAS threads (see packages/native-kernels/index.d.ts) */
  threadsChosenBy?: string;
  /** the convolutions' library: oneDNN where built (its version and the ISA it dispatched to), else OpenBLAS and why */
  conv?: { library: 'onednn' | 'openblas'; version?: string; isa?: string; reason?: string };
}

const PACKAGE = '@cgan/native-kernels';
let loaded: { addon: NativeKernelsAddon | null; reason: string; family?: NativeKernelFamily } | undefined;

/** The addon, or null and why not (loaded once; never throws); `family`: its kernel family. */
export function loadNativeKernels(): { addon: NativeKernelsAddon | null; reason: string; family?: NativeKernelFamily } {
  if (loaded) return loaded;
  try {
    // A computed name: the package is optional, and tsc must not need it.
    const m = require(PACKAGE) as { available: boolean; reason: string; addon: NativeKernelsAddon | null; family: NativeKernelFamily | null };
    loaded = m.available && m.addon ? { addon: m.addon, reason: '', family: m.family ?? undefined } : { addon: null, reason: m.reason };
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    loaded = {
      addon: null,
      reason: (e as { code?: string }).code === 'MODULE_NOT_FOUND' && msg.includes(PACKAGE) ? `${PACKAGE} is not installed (an optional dependency of @cgan/models)` : `${PACKAGE} failed to load: ${msg}`,
    };
  }
  return loaded;
}

type Conv2DInfo = backend_util.Conv2DInfo;

/** [n, h, w, ci, kh, kw, co, oh, ow, sh, sw, pt, pl, dh, dw] as the addon takes them. */
function convDims(c: Conv2DInfo): number[] {
  return [c.batchSize, c.inHeight, c.inWidth, c.inChannels, c.filterHeight, c.filterWidth, c.outChannels, c.outHeight, c.outWidth, c.strideHeight, c.strideWidth, c.padInfo.top, c.padInfo.left, c.dilationHeight, c.dilationWidth];
}

function f32(...ts: TensorInfo[]): boolean {
  return ts.every((t) => t.dtype === 'float32' && util.sizeFromShape(t.shape) > 0);
}

function convInfo(xShape: number[], filterShape: number[], attrs: NamedAttrMap, depthwise = false): Conv2DInfo | null {
  if (backend_util.convertConv2DDataFormat((attrs.dataFormat as 'NHWC' | 'NCHW') ?? 'NHWC') !== 'channelsLast') return null;
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as number | [number, number],
    (attrs.dilations as number | [number, number]) ?? 1,
    attrs.pad as never,
    attrs.dimRoundingMode as never,
    depthwise,
    'channelsLast',
  );
}

/** bias add and activation of the fused kernels, run by the wasm backend's own kernels. */
function biasAndActivation(b: WasmBackendLike, y: TensorInfo, bias: TensorInfo | undefined, prelu: TensorInfo | undefined, attrs: NamedAttrMap): TensorInfo {
  let out = y;
  const step = (next: TensorInfo) => {
    release(b, out);
    out = next;
  };
  if (bias) step(runWasm('Add', b, { a: out, b: bias }));
  const act = (attrs.activation as string | undefined) ?? 'linear';
  switch (act) {
    case 'linear':
      break;
    case 'relu':
      step(runWasm('Relu', b, { x: out }));
      break;
    case 'relu6':
      step(runWasm('Relu6', b, { x: out }));
      break;
    case 'elu':
      step(runWasm('Elu', b, { x: out }));
      break;
    case 'sigmoid':
      step(runWasm('Sigmoid', b, { x: out }));
      break;
    case 'leakyrelu':
      step(runWasm('LeakyRelu', b, { x: out }, { alpha: (attrs.leakyreluAlpha as number) ?? 0.2 }));
      break;
    case 'prelu':
      step(runWasm('Prelu', b, { x: out, alpha: prelu as TensorInfo }));
      break;
    default:
      release(b, out);
      throw new Error(`Fused activation '${act}' is not supported by the native kernels; use one of linear, relu, relu6, elu, sigmoid, leakyrelu, prelu.`);
  }
  return out;
}

function conv2dConfig(addon: NativeKernelsAddon, name: 'Conv2D' | 'FusedConv2D', inner: KernelFunc): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined> as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
    const attrs = args.attrs ?? {};
    const info = f32(x, filter) ? convInfo(x.shape, filter.shape, attrs) : null;
    if (!info || (name === 'FusedConv2D' && bias && bias.dtype !== 'float32')) return inner(args);
    const b = args.backend as unknown as WasmBackendLike;
    const y = b.makeOutput([info.batchSize, info.outHeight, info.outWidth, info.outChannels], 'float32');
    // Views are taken after makeOutput: allocating may grow (and detach) the wasm heap.
    addon.conv2d(b.typedArrayFromHeap(x), b.typedArrayFromHeap(filter), b.typedArrayFromHeap(y), convDims(info));
    return name === 'FusedConv2D' ? biasAndActivation(b, y, bias, preluActivationWeights, attrs) : y;
  };
  return { kernelName: name, backendName: 'wasm', kernelFunc };
}

function conv2dBackpropInputConfig(addon: NativeKernelsAddon, inner: KernelFunc): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const attrs = args.attrs ?? {};
    const inputShape = attrs.inputShape as number[];
    const info = f32(dy, filter) && util.sizeFromShape(inputShape) > 0 ? convInfo(inputShape, filter.shape, { ...attrs, dilations: 1 }) : null;
    if (!info) return inner(args);
    const b = args.backend as unknown as WasmBackendLike;
    const dx = b.makeOutput(inputShape, 'float32');
    addon.conv2dBackpropInput(b.typedArrayFromHeap(dy), b.typedArrayFromHeap(filter), b.typedArrayFromHeap(dx), convDims(info));
    return dx;
  };
  return { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc };
}

function conv2dBackpropFilterConfig(addon: NativeKernelsAddon, inner: KernelFunc): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs ?? {};
    const filterShape = attrs.filterShape as number[];
    const info = f32(x, dy) && util.sizeFromShape(filterShape) > 0 ? convInfo(x.shape, filterShape, { ...attrs, dilations: 1 }) : null;
    if (!info) return inner(args);
    const b = args.backend as unknown as WasmBackendLike;
    const df = b.makeOutput(filterShape, 'float32');
    addon.conv2dBackpropFilter(b.typedArrayFromHeap(x), b.typedArrayFromHeap(dy), b.typedArrayFromHeap(df), convDims(info));
    return df;
  };
  return { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc };
}

/** LeakyRelu of float32 tensors in the addon (a vectorised C++ loop; the same values). */
function leakyReluConfig(addon: NativeKernelsAddon, inner: KernelFunc): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (!f32(x)) return inner(args);
    const b = args.backend as unknown as WasmBackendLike;
    const y = b.makeOutput(x.shape, 'float32');
    addon.leakyRelu!(b.typedArrayFromHeap(x), b.typedArrayFromHeap(y), Math.fround((args.attrs?.alpha as number) ?? 0.2));
    return y;
  };
  return { kernelName: 'LeakyRelu', backendName: 'wasm', kernelFunc };
}

function matMulConfig(addon: NativeKernelsAddon, name: 'BatchMatMul' | '_FusedMatMul', inner: KernelFunc): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { a, b: bT, bias, preluActivationWeights } = args.inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
    const attrs = args.attrs ?? {};
    const ta = !!attrs.transposeA, tb = !!attrs.transposeB;
    const ra = a.shape.length, rb = bT.shape.length;
    if (!f32(a, bT) || ra < 2 || rb < 2 || (name === '_FusedMatMul' && bias && bias.dtype !== 'float32')) return inner(args);
    const m = ta ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = ta ? a.shape[ra - 2] : a.shape[ra - 1];
    const k2 = tb ? bT.shape[rb - 1] : bT.shape[rb - 2];
    const n = tb ? bT.shape[rb - 2] : bT.shape[rb - 1];
    const batchA = util.sizeFromShape(a.shape.slice(0, -2));
    const batchB = util.sizeFromShape(bT.shape.slice(0, -2));
    // Only plain or one-sided-broadcast batches; other broadcasts keep the wasm kernel.
    const sameBatch = util.arraysEqual(a.shape.slice(0, -2), bT.shape.slice(0, -2));
    if (k !== k2 || !(sameBatch || batchA === 1 || batchB === 1)) return inner(args);
    const outBatch = backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), bT.shape.slice(0, -2));
    const b = args.backend as unknown as WasmBackendLike;
    const out = b.makeOutput([...outBatch, m, n], 'float32');
    addon.matMul(b.typedArrayFromHeap(a), b.typedArrayFromHeap(bT), b.typedArrayFromHeap(out), [batchA, batchB, m, n, k, ta ? 1 : 0, tb ? 1 : 0]);
    return name === '_FusedMatMul' ? biasAndActivation(b, out, bias, preluActivationWeights, attrs) : out;
  };
  return { kernelName: name, backendName: 'wasm', kernelFunc };
}

/** Names of the wasm kernels the native path replaces. */
export const nativeKernelNames = ['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'BatchMatMul', '_FusedMatMul', 'LeakyRelu'] as const;

const NATIVE = Symbol.for('cgan.runtime.nativeKernel');
/** The kernels registered before the native ones (restored by setNativeKernels(false)). */
const previous = new Map<string, KernelConfig>();

function nativeConfig(addon: NativeKernelsAddon, name: (typeof nativeKernelNames)[number], inner: KernelFunc): KernelConfig | null {
  switch (name) {
    case 'LeakyRelu':
      return addon.leakyRelu ? leakyReluConfig(addon, inner) : null;
    case 'Conv2D':
    case 'FusedConv2D':
      return conv2dConfig(addon, name, inner);
    case 'Conv2DBackpropInput':
      return conv2dBackpropInputConfig(addon, inner);
    case 'Conv2DBackpropFilter':
      return conv2dBackpropFilterConfig(addon, inner);
    case 'BatchMatMul':
    case '_FusedMatMul':
      return matMulConfig(addon, name, inner);
  }
}

/** Whether the native kernels are registered for wasm now. */
export function nativeKernelsActive(): boolean {
  return previous.size > 0;
}

/** The addon while the native kernels are active (the kernels built on it ask here), else null. */
export function activeNativeKernels(): NativeKernelsAddon | null {
  return nativeKernelsActive() ? loadNativeKernels().addon : null;
}

/**
 * Registers (true) or removes (false) the native wasm kernels, and remembers the choice for later
 * registerWasmTrainingKernels calls (the kernels registered before become the fallback). Returns
 * whether native kernels are active. `CGAN_NATIVE_KERNELS=0` in the environment disables them too.
 */
export function setNativeKernels(on: boolean): boolean {
  wanted = on;
  // Before registerWasmTrainingKernels ran (wasm ships no Conv2DBackpropFilter) only the choice
  // is recorded: the native kernels must wrap the training kernels, not tfjs-wasm's own.
  if (!getKernel('Conv2DBackpropFilter', 'wasm')) return false;
  return applyNativeKernels();
}

let wanted = true;

/** Registers the native kernels if wanted (the default) and available; see setNativeKernels. */
export function applyNativeKernels(): boolean {
  if (!wanted) {
    for (const [name, k] of previous) {
      unregisterKernel(name, 'wasm');
      registerKernel(k);
    }
    previous.clear();
    return false;
  }
  if (nativeKernelsActive()) return true;
  const { addon } = loadNativeKernels();
  if (!addon) return false;
  for (const name of nativeKernelNames) {
    const k = getKernel(name, 'wasm') as (KernelConfig & { [NATIVE]?: boolean }) | undefined;
    if (!k || k[NATIVE]) continue;
    const config = nativeConfig(addon, name, k.kernelFunc);
    if (!config) continue; // an older build of the addon without this kernel
    previous.set(name, k);
    unregisterKernel(name, 'wasm');
    registerKernel({ ...k, ...config, [NATIVE]: true } as KernelConfig);
  }
  return true;
}

/**
 * e.g. "onednn 2.6.3 (avx2) convs + openblas Haswell (avx2+fma, chosen by cpu features (cpuid))",
 * or without oneDNN "openblas Haswell (avx2+fma, chosen by cpu features (cpuid))".
 */
export function nativeKernelFamilyName(): string {
  const { addon, family } = loadNativeKernels();
  if (!addon) return '';
  if (!family) return `openblas ${addon.blasCorename?.() ?? addon.blasConfig().trim()}`;
  const blas = `${family.library} ${family.core} (${family.isa}, chosen by ${family.chosenBy}${family.mismatch ? `; ${family.mismatch}` : ''})`;
  const conv = family.conv;
  return conv?.library === 'onednn' && addon.convLibrary?.() !== 'openblas' ? `onednn ${conv.version} (${conv.isa}) convs + ${blas}` : blas;
}

/** One line saying which convolution/matMul path the wasm backend runs, and why. */
export function nativeKernelsStatus(): string {
  const { addon, reason } = loadNativeKernels();
  if (!addon) return `wasm conv/matMul kernels: XNNPACK (wasm SIMD); native kernels unavailable: ${reason}`;
  const fam = nativeKernelFamilyName();
  if (!nativeKernelsActive()) return `wasm conv/matMul kernels: XNNPACK (wasm SIMD); native kernels off (runtime.native_kernels = False or CGAN_NATIVE_KERNELS=0), available: ${fam}`;
  const why = loadNativeKernels().family?.threadsChosenBy;
  return `wasm conv/matMul kernels: native, ${fam}, ${addon.getThreads()} thread${addon.getThreads() === 1 ? '' : 's'} (${why ? `${why}; ` : ''}OPENBLAS_NUM_THREADS sets it)`;
}
