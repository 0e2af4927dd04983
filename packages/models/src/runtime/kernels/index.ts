/** Registers the training kernels the wasm backend lacks (or ships slow or wrong). Idempotent. */
import { engine, getKernel, KernelConfig, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { maxPoolGradConfig } from './max_pool_grad';
import { LEAKY_RELU_GRAD_KERNEL, leakyReluGradWasmConfig } from './leaky_relu';
import { avgPoolGradConfig } from './avg_pool_grad';
import { BATCH_NORM_GRAD_KERNEL, BATCH_NORM_KERNEL, batchNormWasmConfigs } from './batch_norm';
import { conv2dBackpropFilterWasmConfig } from './conv2d_backprop_filter';
import { conv2dBackpropInputWasmConfig } from './conv2d_backprop_input';
import { CPU_FALLBACK_KERNELS, cpuFallbackConfig } from './cpu_fallback';
import { explicitSamePaddingConfig } from './explicit_same_padding';
import { sameDtypeCastConfig, sharedIdentityConfig } from './identity';
import { applyNativeKernels } from './native';
import { leadingAxesReduction, transposeAFirst } from './reductions';
import { stridedCopyWrappers } from './strided_copy';

const OURS = Symbol.for('cgan.runtime.kernel');

/** The kernels tfjs-backend-wasm shipped, before this module replaced them. */
const shipped = new Map<string, KernelConfig>();

function install(k: KernelConfig | undefined): void {
  if (!k) return;
  const existing = getKernel(k.kernelName, 'wasm') as (KernelConfig & { [OURS]?: boolean }) | undefined;
  if (existing?.[OURS]) return;
  if (existing) {
    shipped.set(k.kernelName, existing);
    unregisterKernel(k.kernelName, 'wasm');
  }
  registerKernel({ ...k, [OURS]: true } as KernelConfig);
}

/** Names of the wasm kernels this module installs or replaces. */
export const wasmKernelNames = [BATCH_NORM_KERNEL, BATCH_NORM_GRAD_KERNEL, LEAKY_RELU_GRAD_KERNEL, 'Identity', 'Cast', 'AvgPoolGrad', 'Sum', 'Mean', 'Slice', 'Reverse', 'BatchMatMul', 'Conv2D', 'FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', ...CPU_FALLBACK_KERNELS];

export function registerWasmTrainingKernels(): void {
  // Wrappers of the shipped kernels first: they look the originals up.
  for (const name of ['Conv2D', 'FusedConv2D']) {
    if (!(getKernel(name, 'wasm') as { [OURS]?: boolean } | undefined)?.[OURS]) install(explicitSamePaddingConfig(name));
  }
  for (const name of ['DepthwiseConv2dNative', 'FusedDepthwiseConv2D']) {
    if (!(getKernel(name, 'wasm') as { [OURS]?: boolean } | undefined)?.[OURS]) install(explicitSamePaddingConfig(name, true));
  }
  const wrap = (name: string, f: (k: KernelConfig) => KernelConfig) => {
    const k = getKernel(name, 'wasm') as (KernelConfig & { [OURS]?: boolean }) | undefined;
    if (k && !k[OURS]) install(f(k));
  };
  wrap('Sum', (k) => leadingAxesReduction(k, false));
  wrap('Mean', (k) => leadingAxesReduction(k, true));
  wrap('BatchMatMul', transposeAFirst);
  for (const [name, f] of Object.entries(stridedCopyWrappers)) wrap(name, f);
  wrap('Identity', sharedIdentityConfig);
  wrap('Cast', sameDtypeCastConfig);
  wrap('AvgPoolGrad', avgPoolGradConfig);
  for (const k of batchNormWasmConfigs) install(k);
  install(leakyReluGradWasmConfig);
  install(conv2dBackpropFilterWasmConfig);
  install(conv2dBackpropInputWasmConfig);
  // MaxPoolGrad: non-overlapping windows in one pass, the cpu fallback for the rest.
  for (const name of CPU_FALLBACK_KERNELS) install(name === 'MaxPoolGrad' ? maxPoolGradConfig(cpuFallbackConfig(name)) : cpuFallbackConfig(name));
  // Native (OpenBLAS) convolutions and matMuls on top, when @cgan/native-kernels is built; the
  // kernels above stay as their fallback (runtime.native_kernels = False restores them).
  applyNativeKernels();
}

/**
 * Puts tfjs-backend-wasm's own kernel `name` back (benchmarks compare against it). Call after the
 * wasm backend is active; returns false when wasm ships no such kernel.
 */
export function useShippedWasmKernel(name: string): boolean {
  const k = shipped.get(name);
  if (!k) return false;
  unregisterKernel(name, 'wasm');
  registerKernel(k);
  const backend = engine().findBackend('wasm');
  if (backend && k.setupFunc) k.setupFunc(backend);
  return true;
}
