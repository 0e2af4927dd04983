/**
 * Slice and Reverse for the wasm backend as copies of contiguous runs (TypedArray.set of the
 * longest run of elements that stays contiguous in both tensors). tfjs-wasm's own kernels walk
 * rank-4 tensors element by element: ~7 ms to crop a [64, 32, 32, 1] batch to 28x28 (the ResNet
 * G's output) and ~3 ms to flip a 3x3x64x64 kernel (the ResNet up-sampling convolution), against
 * well under 1 ms here. Pure copies, so the values are the same. Other dtypes run the shipped kernels.
 */
import { backend_util, KernelConfig, KernelFunc, TensorInfo, util } from '@tensorflow/tfjs-core';
import { WasmBackendLike } from './wasm_util';

type Heap = Float32Array | Int32Array | Uint8Array;
const COPYABLE = new Set(['float32', 'int32', 'bool']);

function heap(b: WasmBackendLike, t: TensorInfo): Heap {
  return b.typedArrayFromHeap(t) as unknown as Heap;
}

/** Row-major strides of `shape`. */
function stridesOf(shape: number[]): number[] {
  const s = new Array<number>(shape.length);
  for (let i = shape.length - 1, acc = 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * Calls `run(srcOffset, dstOffset)` for every index of the axes before `inner` (each a run of
 * `len` elements); `srcOffset(idx)` is affine in the index, given by `base` and `step` per axis.
 */
function forEachOuter(outer: number[], base: number, step: number[], len: number, run: (src: number, dst: number) => void): void {
  const r = outer.length;
  const idx = new Array<number>(r).fill(0);
  const total = util.sizeFromShape(outer);
  let src = base;
  for (let n = 0, dst = 0; n < total; n++, dst += len) {
    run(src, dst);
    // odometer increment over the outer axes, updating the source offset incrementally
    for (let a = r - 1; a >= 0; a--) {
      idx[a]++;
      src += step[a];
      if (idx[a] < outer[a]) break;
      src -= step[a] * outer[a];
      idx[a] = 0;
    }
  }
}

function sliceConfig(original: KernelConfig): KernelConfig {
  const inner = original.kernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { begin, size } = args.attrs as { begin: number | number[]; size: number | number[] };
    if (!COPYABLE.has(x.dtype) || x.shape.length === 0) return inner(args);
    const [b0, s0] = backend_util.slice_util.parseSliceParams(x as never, begin, size);
    const backend = args.backend as unknown as WasmBackendLike;
    const out = backend.makeOutput(s0, x.dtype);
    if (util.sizeFromShape(s0) === 0) return out;
    const xs = stridesOf(x.shape);
    // Axes after k are taken whole: one run covers axis k's slice and everything after it.
    let k = x.shape.length - 1;
    while (k > 0 && b0[k] === 0 && s0[k] === x.shape[k]) k--;
    const len = s0[k] * xs[k];
    const base = b0.reduce((o, bi, i) => o + bi * xs[i], 0);
    const src = heap(backend, x), dst = heap(backend, out); // views after makeOutput (heap growth)
    forEachOuter(s0.slice(0, k), base, xs.slice(0, k), len, (so, d) => dst.set(src.subarray(so, so + len), d));
    return out;
  };
  return { ...original, kernelFunc };
}

function reverseConfig(original: KernelConfig): KernelConfig {
  const inner = original.kernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const rank = x.shape.length;
    if (!COPYABLE.has(x.dtype) || rank === 0) return inner(args);
    const axes = new Set(util.parseAxisParam((args.attrs as { dims: number | number[] }).dims, x.shape));
    const backend = args.backend as unknown as WasmBackendLike;
    const out = backend.makeOutput(x.shape, x.dtype);
    const n = util.sizeFromShape(x.shape);
    if (n === 0) return out;
    const src = heap(backend, x), dst = heap(backend, out);
    // Trailing axes that are not reversed form contiguous runs.
    let k = rank;
    while (k > 0 && !axes.has(k - 1)) k--;
    if (k === 0) {
      dst.set(src);
      return out;
    }
    const xs = stridesOf(x.shape);
    const len = k === rank ? 1 : xs[k - 1];
    const base = x.shape.slice(0, k).reduce((o, d, i) => o + (axes.has(i) ? (d - 1) * xs[i] : 0), 0);
    const step = x.shape.slice(0, k).map((_, i) => (axes.has(i) ? -xs[i] : xs[i]));
    if (len === 1) forEachOuter(x.shape.slice(0, k), base, step, 1, (so, d) => (dst[d] = src[so]));
    else forEachOuter(x.shape.slice(0, k), base, step, len, (so, d) => dst.set(src.subarray(so, so + len), d));
    return out;
  };
  return { ...original, kernelFunc };
}

/** Wrappers of tfjs-wasm's Slice and Reverse (the originals run what these do not take). */
export const stridedCopyWrappers: Record<string, (k: KernelConfig) => KernelConfig> = { Slice: sliceConfig, Reverse: reverseConfig };
