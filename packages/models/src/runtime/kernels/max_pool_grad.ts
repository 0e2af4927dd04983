/**
 * MaxPoolGrad for non-overlapping windows (stride = window, no padding: the classifier's and the
 * architectures' 2x2/2 max pooling) as one pass over the wasm heap: each dy value goes to the
 * first strict maximum of its window, as tfjs's cpu kernel chooses it (start at -Infinity,
 * `>`; a window of NaNs gets no gradient), so the floats equal the cpu backend's. The shipped
 * wasm kernel is wrong (cpu_fallback.ts), and the cpu fallback recomputes every max position
 * in JS on copies: it was 86% of a domain-classifier training step. Anything else (overlapping
 * or padded windows) runs `inner`.
 */
import { backend_util, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { WasmBackendLike } from './wasm_util';

export function maxPoolGradConfig(fallback: KernelConfig): KernelConfig {
  const inner = fallback.kernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
    const attrs = args.attrs as { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
    if (dy.dtype !== 'float32' || input.dtype !== 'float32' || input.shape.length !== 4) return inner(args);
    const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    const fh = info.filterHeight, fw = info.filterWidth;
    if (info.strideHeight !== fh || info.strideWidth !== fw || info.padInfo.top !== 0 || info.padInfo.left !== 0) return inner(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const [n, h, w, c] = input.shape;
    const oh = info.outHeight, ow = info.outWidth;
    const out = backend.makeOutput(input.shape, 'float32');
    // Views after makeOutput: allocating may grow (and detach) the wasm heap.
    const x = backend.typedArrayFromHeap(input);
    const g = backend.typedArrayFromHeap(dy);
    const dx = backend.typedArrayFromHeap(out);
    dx.fill(0);
    for (let b = 0; b < n; b++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          const s = ((b * oh + oy) * ow + ox) * c;
          const corner = ((b * h + oy * fh) * w + ox * fw) * c;
          for (let k = 0; k < c; k++) {
            let best = -Infinity;
            let at = -1;
            for (let a = 0; a < fh; a++) {
              for (let e = 0; e < fw; e++) {
                const d = corner + (a * w + e) * c + k;
                if (x[d] > best) {
                  best = x[d];
                  at = d;
                }
              }
            }
            if (at >= 0) dx[at] = g[s + k];
          }
        }
      }
    }
    return out;
  };
  return { ...fallback, kernelFunc };
}
