/**
 * Faster wasm paths for two patterns training hits on every step:
 *
 * - Sum / Mean over the leading axes (bias gradients and batch-norm moments: axes [0, 1, 2] of
 *   NHWC). tfjs-wasm transposes the whole tensor to put those axes last first; a single pass
 *   that adds rows of C values needs no transpose (in C when the native kernels are on: the
 *   same double accumulation in the same order, so the same floats).
 * - BatchMatMul with transposeA (the weight gradient of a dense layer, x^T dy): tfjs-wasm's
 *   path for it is ~40x slower than a plain product, so A is transposed explicitly first.
 */
import { KernelConfig, KernelFunc, TensorInfo, util } from '@tensorflow/tfjs-core';
import { loadNativeKernels, nativeKernelsActive } from './native';
import { release, transpose, WasmBackendLike } from './wasm_util';

function leadingAxes(axis: number | number[], rank: number): number | null {
  const axes = util.parseAxisParam(axis, [...Array(rank)].map(() => 1)).sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= rank) return null;
  for (let i = 0; i < axes.length; i++) if (axes[i] !== i) return null;
  return axes.length;
}

export function leadingAxesReduction(original: KernelConfig, mean: boolean): KernelConfig {
  const inner = original.kernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const k = x.dtype === 'float32' ? leadingAxes(axis, x.shape.length) : null;
    if (k === null) return inner(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const rows = util.sizeFromShape(x.shape.slice(0, k));
    const cols = util.sizeFromShape(x.shape.slice(k));
    const outShape = keepDims ? [...x.shape.slice(0, k).map(() => 1), ...x.shape.slice(k)] : x.shape.slice(k);
    const addon = nativeKernelsActive() ? loadNativeKernels().addon : null;
    if (addon?.sumLeading) {
      const out = backend.makeOutput(outShape, 'float32');
      // Views after makeOutput: allocating may grow (and detach) the wasm heap.
      addon.sumLeading(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(out), [rows, cols, mean ? 1 : 0]);
      return out;
    }
    const acc = new Float64Array(cols);
    const src = backend.typedArrayFromHeap(x);
    for (let r = 0, o = 0; r < rows; r++) for (let c = 0; c < cols; c++) acc[c] += src[o++];
    const out = backend.makeOutput(outShape, 'float32');
    const dst = backend.typedArrayFromHeap(out);
    const scale = mean ? 1 / rows : 1;
    for (let c = 0; c < cols; c++) dst[c] = acc[c] * scale;
    return out;
  };
  return { ...original, kernelFunc };
}

export function transposeAFirst(original: KernelConfig): KernelConfig {
  const inner = original.kernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const attrs = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (!attrs.transposeA || a.dtype !== 'float32') return inner(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const r = a.shape.length;
    const perm = [...Array(r).keys()];
    [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
    const at = transpose(backend, a, perm);
    try {
      return inner({ ...args, inputs: { a: at, b }, attrs: { ...args.attrs, transposeA: false } });
    } finally {
      release(backend, at);
    }
  };
  return { ...original, kernelFunc };
}
