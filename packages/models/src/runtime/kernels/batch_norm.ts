/**
 * Training-mode batch normalization as two wasm kernels (ops/fused_batch_norm.ts is the op):
 *
 * - `CganBatchNorm` {x [rows.., C], scale, offset} -> [y, mean, variance]: the batch moments over
 *   every axis but the last and y = (x - mean) * rsqrt(variance + epsilon) * scale + offset, in
 *   three passes over x instead of the ~10 kernels (and passes) of tf.moments + sub, rsqrt, mul,
 *   mul, add. scale / offset have C values (per channel) or B*C (per sample and channel: the
 *   conditional and self-modulated batch norms), B = x.shape[0].
 * - `CganBatchNormGrad` {x, dy, scale, mean, variance} -> [dx, dscale, doffset]: the whole
 *   gradient (through the moments too) in two passes instead of ~20 kernels.
 *
 * Each elementwise step is rounded to float32 in the order of the tfjs ops it replaces (x - mean,
 * times rsqrt, times scale, plus offset); sums accumulate in float64 (as the wasm Sum/Mean over
 * leading axes do here), so values agree with the composite up to float rounding
 * (test/models/runtime/batch_norm_kernel.test.ts). Registered for wasm only: other backends run
 * the composite of tfjs ops, the reference.
 */
import { KernelConfig, KernelFunc, TensorInfo, util } from '@tensorflow/tfjs-core';
import { WasmBackendLike } from './wasm_util';

export const BATCH_NORM_KERNEL = 'CganBatchNorm';
export const BATCH_NORM_GRAD_KERNEL = 'CganBatchNormGrad';

const f = Math.fround;

interface Layout {
  rows: number;
  c: number;
  /** rows sharing one row of scale/offset: rows for per-channel [C], rows / B for per-sample [B*C] */
  rowsPerScaleRow: number;
}

function layout(x: TensorInfo, scale: TensorInfo, offset: TensorInfo): Layout {
  const c = x.shape[x.shape.length - 1];
  const rows = util.sizeFromShape(x.shape) / c;
  const scaleRows = util.sizeFromShape(scale.shape) / c;
  if (!Number.isInteger(scaleRows) || util.sizeFromShape(offset.shape) !== scaleRows * c || (scaleRows !== 1 && scaleRows !== x.shape[0])) {
    throw new Error(`${BATCH_NORM_KERNEL}: scale [${scale.shape}] and offset [${offset.shape}] must hold ${c} (per channel) or ${x.shape[0]}x${c} (per sample) values for x [${x.shape}].`);
  }
  return { rows, c, rowsPerScaleRow: rows / scaleRows };
}

/** mean, variance (as tf.moments: mean of (x - mean)^2) and rsqrt(variance + epsilon) per channel. */
function moments(x: Float32Array, { rows, c }: Layout, epsilon: number, mean: Float32Array, variance: Float32Array): Float32Array {
  const acc = new Float64Array(c);
  for (let r = 0, o = 0; r < rows; r++) for (let k = 0; k < c; k++) acc[k] += x[o++];
  for (let k = 0; k < c; k++) mean[k] = acc[k] / rows;
  acc.fill(0);
  for (let r = 0, o = 0; r < rows; r++) {
    for (let k = 0; k < c; k++) {
      const d = f(x[o++] - mean[k]);
      acc[k] += f(d * d);
    }
  }
  const rstd = new Float32Array(c);
  const eps = f(epsilon);
  for (let k = 0; k < c; k++) {
    variance[k] = acc[k] / rows;
    rstd[k] = 1 / Math.sqrt(f(variance[k] + eps));
  }
  return rstd;
}

export function batchNormForward(x: Float32Array, scale: Float32Array, offset: Float32Array, l: Layout, epsilon: number, y: Float32Array, mean: Float32Array, variance: Float32Array): void {
  const rstd = moments(x, l, epsilon, mean, variance);
  const { rows, c, rowsPerScaleRow } = l;
  for (let r = 0, o = 0; r < rows; r++) {
    const s0 = Math.floor(r / rowsPerScaleRow) * c;
    for (let k = 0; k < c; k++, o++) y[o] = f(f(f(f(x[o] - mean[k]) * rstd[k]) * scale[s0 + k]) + offset[s0 + k]);
  }
}

export function batchNormBackward(
  x: Float32Array,
  dy: Float32Array,
  scale: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
  l: Layout,
  epsilon: number,
  dx: Float32Array,
  dscale: Float32Array,
  doffset: Float32Array,
): void {
  const { rows, c, rowsPerScaleRow } = l;
  const eps = f(epsilon);
  const rstd = new Float32Array(c);
  for (let k = 0; k < c; k++) rstd[k] = 1 / Math.sqrt(f(variance[k] + eps));
  // d/dxhat = dy * scale; its per-channel sum and its sum against xhat
  const sumG = new Float64Array(c), sumGX = new Float64Array(c);
  const dS = new Float64Array(dscale.length), dO = new Float64Array(doffset.length);
  for (let r = 0, o = 0; r < rows; r++) {
    const s0 = Math.floor(r / rowsPerScaleRow) * c;
    for (let k = 0; k < c; k++, o++) {
      const xh = (x[o] - mean[k]) * rstd[k];
      const g = dy[o];
      const gx = g * scale[s0 + k];
      sumG[k] += gx;
      sumGX[k] += gx * xh;
      dS[s0 + k] += g * xh;
      dO[s0 + k] += g;
    }
  }
  for (let k = 0; k < c; k++) {
    sumG[k] /= rows;
    sumGX[k] /= rows;
  }
  for (let r = 0, o = 0; r < rows; r++) {
    const s0 = Math.floor(r / rowsPerScaleRow) * c;
    for (let k = 0; k < c; k++, o++) {
      const xh = (x[o] - mean[k]) * rstd[k];
      dx[o] = rstd[k] * (dy[o] * scale[s0 + k] - sumG[k] - xh * sumGX[k]);
    }
  }
  dscale.set(dS);
  doffset.set(dO);
}

function checkF32(...ts: TensorInfo[]): void {
  for (const t of ts) if (t.dtype !== 'float32') throw new Error(`${BATCH_NORM_KERNEL}: float32 tensors only, got ${t.dtype}.`);
}

const forwardWasm: KernelFunc = ({ inputs, attrs, backend }) => {
  const b = backend as unknown as WasmBackendLike;
  const { x, scale, offset } = inputs as Record<string, TensorInfo>;
  checkF32(x, scale, offset);
  const l = layout(x, scale, offset);
  const outs = [b.makeOutput(x.shape, 'float32'), b.makeOutput([l.c], 'float32'), b.makeOutput([l.c], 'float32')];
  // Views after every allocation: growing the heap detaches earlier ones.
  const v = (t: TensorInfo) => b.typedArrayFromHeap(t);
  batchNormForward(v(x), v(scale), v(offset), l, attrs!.epsilon as number, v(outs[0]), v(outs[1]), v(outs[2]));
  return outs;
};

const backwardWasm: KernelFunc = ({ inputs, attrs, backend }) => {
  const b = backend as unknown as WasmBackendLike;
  const { x, dy, scale, offset, mean, variance } = inputs as Record<string, TensorInfo>;
  checkF32(x, dy, scale, offset, mean, variance);
  const l = layout(x, scale, offset);
  const outs = [b.makeOutput(x.shape, 'float32'), b.makeOutput(scale.shape, 'float32'), b.makeOutput(offset.shape, 'float32')];
  const v = (t: TensorInfo) => b.typedArrayFromHeap(t);
  batchNormBackward(v(x), v(dy), v(scale), v(mean), v(variance), l, attrs!.epsilon as number, v(outs[0]), v(outs[1]), v(outs[2]));
  return outs;
};

export const batchNormWasmConfigs: KernelConfig[] = [
  { kernelName: BATCH_NORM_KERNEL, backendName: 'wasm', kernelFunc: forwardWasm },
  { kernelName: BATCH_NORM_GRAD_KERNEL, backendName: 'wasm', kernelFunc: backwardWasm },
];
