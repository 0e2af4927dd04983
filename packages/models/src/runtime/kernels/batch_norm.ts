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
 * The arithmetic runs in the native kernels addon (packages/native-kernels/src/native_kernels.cc:
 * batchNorm, batchNormGrad) on the wasm heap. Each elementwise step is one float32 operation in
 * the order of the tfjs ops it replaces (x - mean, times rsqrt, times scale, plus offset); sums
 * accumulate in float64 (as the wasm Sum/Mean over leading axes do here), so values agree with the
 * composite up to float rounding (test/models/runtime/batch_norm_kernel.test.ts). Registered for
 * wasm only, and used only while the native kernels are active: elsewhere (cpu, tensorflow, wasm
 * without the addon) the composite of tfjs ops runs, the reference.
 */
import { KernelConfig, KernelFunc, TensorInfo, util } from '@tensorflow/tfjs-core';
import { loadNativeKernels, nativeKernelsActive, NativeKernelsAddon } from './native';
import { WasmBackendLike } from './wasm_util';

export const BATCH_NORM_KERNEL = 'CganBatchNorm';
export const BATCH_NORM_GRAD_KERNEL = 'CganBatchNormGrad';

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

/**
 * The addon that runs the kernels: the native kernels' (C++, packages/native-kernels), while they
 * are active. Plain JS loops were measured 5-10x slower than the composite's wasm kernels, so
 * without the addon the composite runs instead (ops/fused_batch_norm.ts asks here).
 */
export function batchNormAddon(): NativeKernelsAddon | null {
  if (!nativeKernelsActive()) return null;
  const { addon } = loadNativeKernels();
  return addon?.batchNorm && addon.batchNormGrad ? addon : null;
}

function addonOrThrow(): NativeKernelsAddon {
  const a = batchNormAddon();
  if (!a) throw new Error(`${BATCH_NORM_KERNEL} needs the native kernels (@cgan/native-kernels, built with batchNorm) to be active.`);
  return a;
}

function checkF32(...ts: TensorInfo[]): void {
  for (const t of ts) if (t.dtype !== 'float32') throw new Error(`${BATCH_NORM_KERNEL}: float32 tensors only, got ${t.dtype}.`);
}

const forwardWasm: KernelFunc = ({ inputs, attrs, backend }) => {
  const b = backend as unknown as WasmBackendLike;
  const { x, scale, offset } = inputs as Record<string, TensorInfo>;
  checkF32(x, scale, offset);
  const l = layout(x, scale, offset);
  const addon = addonOrThrow();
  const outs = [b.makeOutput(x.shape, 'float32'), b.makeOutput([l.c], 'float32'), b.makeOutput([l.c], 'float32')];
  // Views after every allocation: growing the heap detaches earlier ones.
  const v = (t: TensorInfo) => b.typedArrayFromHeap(t);
  addon.batchNorm!(v(x), v(scale), v(offset), v(outs[0]), v(outs[1]), v(outs[2]), [l.rows, l.c, l.rowsPerScaleRow], attrs!.epsilon as number);
  return outs;
};

const backwardWasm: KernelFunc = ({ inputs, attrs, backend }) => {
  const b = backend as unknown as WasmBackendLike;
  const { x, dy, scale, offset, mean, variance } = inputs as Record<string, TensorInfo>;
  checkF32(x, dy, scale, offset, mean, variance);
  const l = layout(x, scale, offset);
  const addon = addonOrThrow();
  const outs = [b.makeOutput(x.shape, 'float32'), b.makeOutput(scale.shape, 'float32'), b.makeOutput(offset.shape, 'float32')];
  const v = (t: TensorInfo) => b.typedArrayFromHeap(t);
  addon.batchNormGrad!(v(x), v(dy), v(scale), v(mean), v(variance), v(outs[0]), v(outs[1]), v(outs[2]), [l.rows, l.c, l.rowsPerScaleRow], attrs!.epsilon as number);
  return outs;
};

export const batchNormWasmConfigs: KernelConfig[] = [
  { kernelName: BATCH_NORM_KERNEL, backendName: 'wasm', kernelFunc: forwardWasm },
  { kernelName: BATCH_NORM_GRAD_KERNEL, backendName: 'wasm', kernelFunc: backwardWasm },
];
