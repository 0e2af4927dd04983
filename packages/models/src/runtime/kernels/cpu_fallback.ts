/**
 * Kernels the wasm backend lacks (or computes wrongly) and that training rarely hits run on the
 * cpu backend's implementation: inputs are copied out of the wasm heap, the cpu kernel runs, and
 * the outputs are copied back. Correct, and no slower than the cpu backend for those ops.
 *
 * - MaxPoolGrad: the shipped wasm kernel is wrong for e.g. 2x2/2 'valid' pooling (0.75 max error).
 * - ResizeNearestNeighborGrad: the shipped wasm kernel is wrong for batches > 1.
 * - UnsortedSegmentSum (gradient of gather), DepthwiseConv2dNativeBackpropFilter/Input, Einsum:
 *   not shipped for wasm.
 */
import '@tensorflow/tfjs-backend-cpu';
import { engine, getKernel, KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { WasmBackendLike } from './wasm_util';

export const CPU_FALLBACK_KERNELS = ['MaxPoolGrad', 'ResizeNearestNeighborGrad', 'UnsortedSegmentSum', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'Einsum'];

export function cpuFallbackConfig(kernelName: string): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, attrs, backend }) => {
    const wasm = backend as unknown as WasmBackendLike;
    const cpu = engine().findBackend('cpu') as (KernelBackend & { firstUse?: boolean }) | null;
    if (cpu && 'firstUse' in cpu) cpu.firstUse = false; // no "install tfjs-node" banner for a fallback
    const cpuKernel = getKernel(kernelName, 'cpu');
    if (!cpu || !cpuKernel) throw new Error(`${kernelName} on wasm runs the cpu backend's kernel, but @tensorflow/tfjs-backend-cpu is not available; reinstall the workspace dependencies.`);
    const cpuInputs: Record<string, TensorInfo> = {};
    const copies: object[] = [];
    const list = Array.isArray(inputs) ? inputs.map((t, i) => [String(i), t] as const) : Object.entries(inputs);
    for (const [k, t] of list) {
      const dataId = cpu.write(wasm.typedArrayFromHeap(t).slice(), t.shape, t.dtype);
      copies.push(dataId);
      cpuInputs[k] = { dataId, shape: t.shape, dtype: t.dtype };
    }
    try {
      const cpuIn = Array.isArray(inputs) ? Object.values(cpuInputs) : cpuInputs;
      const out = cpuKernel.kernelFunc({ inputs: cpuIn as never, attrs, backend: cpu });
      const outs = Array.isArray(out) ? out : [out];
      const results = outs.map((o) => {
        const values = cpu.readSync(o.dataId) as Float32Array | Int32Array | Uint8Array;
        cpu.disposeData(o.dataId);
        const r = wasm.makeOutput(o.shape, o.dtype);
        (wasm.typedArrayFromHeap(r) as unknown as { set(v: ArrayLike<number>): void }).set(values);
        return r;
      });
      return Array.isArray(out) ? results : results[0];
    } finally {
      for (const d of copies) cpu.disposeData(d);
    }
  };
  return { kernelName, backendName: 'wasm', kernelFunc };
}
