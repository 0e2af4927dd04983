/**
 * Conv2DBackpropFilter for the wasm backend (tfjs-backend-wasm ships none, so conv nets cannot
 * train there). The filter gradient of a stride-s convolution is itself a convolution:
 *
 *   dW[kh, kw, ci, co] = sum_{n, oh, ow} x[n, oh*s + kh - pt, ow*s + kw - pl, ci] * dy[n, oh, ow, co]
 *
 * i.e. a forward conv of x^T = x transposed to [ci, H, W, n] with the "filter" dy^T = dy transposed
 * to [oh, ow, n, co], dilated by the forward stride, giving [ci, kh, kw, co]. XNNPACK runs it.
 */
import { backend_util, Conv2DBackpropFilter, Conv2DBackpropFilterAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { conv2dCropping, release, transpose, WasmBackendLike } from './wasm_util';

export function conv2dBackpropFilterWasm(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: WasmBackendLike; attrs: Conv2DBackpropFilterAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  const fmt = backend_util.convertConv2DDataFormat(dataFormat);
  if (fmt !== 'channelsLast') {
    throw new Error(`Conv2DBackpropFilter on wasm supports dataFormat 'NHWC' only, got '${dataFormat}'; use NHWC tensors (the wasm Conv2D kernel has the same limit).`);
  }
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, fmt);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  // Pads that make the correlation output exactly kh x kw (negative: rows the forward conv never read).
  const pb = kh + (oh - 1) * sh - h - pt;
  const pr = kw + (ow - 1) * sw - w - pl;
  const xt = transpose(backend, x, [3, 1, 2, 0]);
  const dyt = transpose(backend, dy, [1, 2, 0, 3]);
  let out: TensorInfo | undefined;
  try {
    out = conv2dCropping(backend, xt, dyt, { dilations: [sh, sw], pads: [pt, pb, pl, pr] });
    return transpose(backend, out, [1, 2, 0, 3]);
  } finally {
    release(backend, xt, dyt, ...(out ? [out] : []));
  }
}

export const conv2dBackpropFilterWasmConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilterWasm as never,
};
