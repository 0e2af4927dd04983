/**
 * A fast Conv2DBackpropInput (also the forward pass of conv2dTranspose) for the wasm backend.
 * tfjs-backend-wasm's own kernel is a scalar loop, ~8x slower than a forward conv of the same
 * FLOPs. Here it becomes s_h*s_w forward convolutions run by XNNPACK, one per output phase
 * ("sub-pixel" decomposition), so no multiply hits an inserted zero:
 *
 *   dx[ih] = sum_j dy[q - j] * W[r + s*j]   with r = (ih + pt) mod s, q = floor((ih + pt) / s)
 *
 * For the output rows ih = m*s + p (p in [0, s)) this is a stride-1 correlation of dy with the
 * taps W[r + s*(J-1-t)], t < J = ceil((K - r) / s), read at q = m + floor((p + pt) / s). The s*s
 * phase results [n, M, Mw, ci] are interleaved back into [n, H, W, ci].
 */
import { backend_util, Conv2DBackpropInput, Conv2DBackpropInputAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { conv2dCropping, release, WasmBackendLike } from './wasm_util';

interface Phase {
  /** position inside the output block */
  p: number;
  /** taps of the filter this phase uses (J), and where they start in the reversed filter */
  taps: number;
  tapStart: number;
  /** first dy index read by the phase's output row 0 */
  q0: number;
}

function phases(k: number, s: number, padBefore: number): Phase[] {
  const out: Phase[] = [];
  for (let p = 0; p < s; p++) {
    const r = (p + padBefore) % s;
    const taps = r < k ? Math.ceil((k - r) / s) : 0;
    // W[r + s*(J-1-t)] = Wrev[k-1-r-s*(J-1) + s*t]
    out.push({ p, taps, tapStart: k - 1 - r - s * (taps - 1), q0: Math.floor((p + padBefore) / s) });
  }
  return out;
}

/**
 * The phase filter [J, Jw, co, ci] holding W[r + s*(J-1-t), rw + sw*(Jw-1-u), ci, co], written
 * straight into the wasm heap (one pass; the wasm StridedSlice/Reverse kernels are far slower).
 */
function phaseFilter(backend: WasmBackendLike, filter: TensorInfo, rp: Phase, cp: Phase, sh: number, sw: number): TensorInfo {
  const [kh, kw, ci, co] = filter.shape;
  const out = backend.makeOutput([rp.taps, cp.taps, co, ci], 'float32');
  const src = backend.typedArrayFromHeap(filter);
  const dst = backend.typedArrayFromHeap(out);
  let o = 0;
  for (let t = 0; t < rp.taps; t++) {
    const khIdx = kh - 1 - (rp.tapStart + sh * t); // un-reversed row of W
    for (let u = 0; u < cp.taps; u++) {
      const kwIdx = kw - 1 - (cp.tapStart + sw * u);
      const base = (khIdx * kw + kwIdx) * ci * co;
      for (let c = 0; c < co; c++) {
        for (let i = 0; i < ci; i++) dst[o++] = src[base + i * co + c];
      }
    }
  }
  return out;
}

export function conv2dBackpropInputWasm(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: WasmBackendLike; attrs: Conv2DBackpropInputAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const { inputShape, strides, pad, dataFormat, dimRoundingMode } = attrs;
  const fmt = backend_util.convertConv2DDataFormat(dataFormat);
  if (fmt !== 'channelsLast') {
    throw new Error(`Conv2DBackpropInput on wasm supports dataFormat 'NHWC' only, got '${dataFormat}'; use NHWC tensors.`);
  }
  const info = backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, fmt);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const mh = Math.ceil(h / sh);
  const mw = Math.ceil(w / sw);
  const rows = phases(kh, sh, info.padInfo.top);
  const cols = phases(kw, sw, info.padInfo.left);

  const parts: Array<{ rp: Phase; cp: Phase; t: TensorInfo | null }> = [];
  try {
    for (const rp of rows) {
      for (const cp of cols) {
        if (rp.taps === 0 || cp.taps === 0) {
          parts.push({ rp, cp, t: null }); // no tap reaches these outputs: zeros
          continue;
        }
        const f = phaseFilter(backend, filter, rp, cp, sh, sw);
        try {
          // Output row m reads dy[q0 + m - J + 1 .. q0 + m]; rows beyond dy are zero padding.
          const pads: [number, number, number, number] = [rp.taps - 1 - rp.q0, rp.q0 + mh - 1 - (oh - 1), cp.taps - 1 - cp.q0, cp.q0 + mw - 1 - (ow - 1)];
          parts.push({ rp, cp, t: conv2dCropping(backend, dy, f, { pads }) });
        } finally {
          release(backend, f);
        }
      }
    }
    if (parts.length === 1 && parts[0].t && mh === h && mw === w) {
      const only = parts[0].t;
      parts.length = 0;
      return only;
    }
    // Interleave the phases: dx[b, m*sh + p, j*sw + q, :] = part(p, q)[b, m, j, :].
    const out = backend.makeOutput([n, h, w, ci], 'float32');
    const dst = backend.typedArrayFromHeap(out);
    for (const { rp, cp, t } of parts) {
      const src = t ? backend.typedArrayFromHeap(t) : null;
      for (let b = 0; b < n; b++) {
        for (let m = 0; m < mh; m++) {
          const y = m * sh + rp.p;
          if (y >= h) break;
          for (let j = 0; j < mw; j++) {
            const x = j * sw + cp.p;
            if (x >= w) break;
            const o = ((b * h + y) * w + x) * ci;
            if (!src) dst.fill(0, o, o + ci);
            else if (ci >= 32) {
              const s = ((b * mh + m) * mw + j) * ci;
              dst.set(src.subarray(s, s + ci), o);
            } else {
              // few channels: a loop beats creating a subarray per pixel
              for (let c = 0, s = ((b * mh + m) * mw + j) * ci; c < ci; c++) dst[o + c] = src[s + c];
            }
          }
        }
      }
    }
    return out;
  } finally {
    release(backend, ...parts.flatMap((x) => (x.t ? [x.t] : [])));
  }
}

export const conv2dBackpropInputWasmConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInputWasm as never,
};
