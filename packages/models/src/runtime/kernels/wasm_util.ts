/**
 * Helpers for composing wasm kernels out of the wasm backend's own kernels (XNNPACK conv,
 * transpose, slice, pad, ...). Intermediates are plain TensorInfos owned by the backend, so each
 * helper's result must be released with `release` once it is no longer needed.
 */
import { getKernel, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/** The part of tfjs-backend-wasm's BackendWasm that the kernels here use. */
export interface WasmBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
  makeOutput(shape: number[], dtype: string, memoryOffset?: number): TensorInfo;
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } | undefined };
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

/** Runs the wasm backend's kernel `name` directly (no op-level checks, no tape). */
export function runWasm(name: string, backend: WasmBackendLike, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
  const k = getKernel(name, 'wasm');
  if (!k) throw new Error(`The wasm backend has no '${name}' kernel, which the training kernels build on; use tfjs-backend-wasm 4.22 or newer.`);
  const out = k.kernelFunc({ inputs, attrs, backend: backend as never });
  return Array.isArray(out) ? out[0] : out;
}

export function release(backend: WasmBackendLike, ...ts: TensorInfo[]): void {
  for (const t of ts) backend.disposeData(t.dataId);
}

export const transpose = (b: WasmBackendLike, x: TensorInfo, perm: number[]) => runWasm('Transpose', b, { x }, { perm });
export const reshape = (b: WasmBackendLike, x: TensorInfo, shape: number[]) => runWasm('Reshape', b, { x }, { shape });
export const slice = (b: WasmBackendLike, x: TensorInfo, begin: number[], size: number[]) => runWasm('Slice', b, { x }, { begin, size });

/** A stride-1-or-more NHWC forward convolution with explicit [top, bottom, left, right] padding. */
export function conv2d(
  b: WasmBackendLike,
  x: TensorInfo,
  filter: TensorInfo,
  opts: { strides?: [number, number]; dilations?: [number, number]; pads: [number, number, number, number] },
): TensorInfo {
  const [t, bo, l, r] = opts.pads;
  return runWasm('Conv2D', b, { x, filter }, {
    strides: opts.strides ?? [1, 1],
    dilations: opts.dilations ?? [1, 1],
    pad: [[0, 0], [t, bo], [l, r], [0, 0]] as never,
    dataFormat: 'NHWC',
    dimRoundingMode: undefined as never,
  });
}

/**
 * `conv2d` that accepts negative paddings (they crop the input instead), so callers can express
 * "the output rows q0..q1 of a full correlation" without special cases.
 */
export function conv2dCropping(
  b: WasmBackendLike,
  x: TensorInfo,
  filter: TensorInfo,
  opts: { strides?: [number, number]; dilations?: [number, number]; pads: [number, number, number, number] },
): TensorInfo {
  const [t, bo, l, r] = opts.pads;
  if (t >= 0 && bo >= 0 && l >= 0 && r >= 0) return conv2d(b, x, filter, opts);
  const [n, h, w, c] = x.shape;
  const ct = Math.max(0, -t), cb = Math.max(0, -bo), cl = Math.max(0, -l), cr = Math.max(0, -r);
  const cropped = slice(b, x, [0, ct, cl, 0], [n, h - ct - cb, w - cl - cr, c]);
  try {
    return conv2d(b, cropped, filter, { ...opts, pads: [Math.max(t, 0), Math.max(bo, 0), Math.max(l, 0), Math.max(r, 0)] });
  } finally {
    release(b, cropped);
  }
}
