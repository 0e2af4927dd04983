/**
 * AvgPoolGrad for non-overlapping windows (stride = window, no padding: the resnet blocks' 2x2
 * average pooling) as one pass over the wasm heap: each dy value times 1/(fh*fw) is written to
 * its window. tfjs-wasm's kernel took ~10% of an S3GAN step. Only windows whose size is a power
 * of two take this path (multiplying by 2^-k is exact, so the floats equal the shipped kernel's
 * and the cpu backend's); everything else runs the shipped kernel.
 */
import { backend_util, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { WasmBackendLike } from './wasm_util';

export function avgPoolGradConfig(shipped: KernelConfig): KernelConfig {
  const inner = shipped.kernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
    const attrs = args.attrs as { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
    if (dy.dtype !== 'float32' || input.shape.length !== 4) return inner(args);
    const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    const fh = info.filterHeight, fw = info.filterWidth, area = fh * fw;
    if (info.strideHeight !== fh || info.strideWidth !== fw || info.padInfo.top !== 0 || info.padInfo.left !== 0 || (area & (area - 1)) !== 0) return inner(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const [n, h, w, c] = input.shape;
    const oh = info.outHeight, ow = info.outWidth;
    const out = backend.makeOutput(input.shape, 'float32');
    // Views after makeOutput: allocating may grow (and detach) the wasm heap.
    const src = backend.typedArrayFromHeap(dy);
    const dst = backend.typedArrayFromHeap(out);
    if (oh * fh !== h || ow * fw !== w) dst.fill(0); // rows/columns no window covers
    const scale = 1 / area;
    for (let b = 0; b < n; b++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          const s = ((b * oh + oy) * ow + ox) * c;
          for (let a = 0; a < fh; a++) {
            for (let e = 0; e < fw; e++) {
              const d = ((b * h + oy * fh + a) * w + ox * fw + e) * c;
              for (let k = 0; k < c; k++) dst[d + k] = src[s + k] * scale;
            }
          }
        }
      }
    }
    return out;
  };
  return { ...shipped, kernelFunc };
}
