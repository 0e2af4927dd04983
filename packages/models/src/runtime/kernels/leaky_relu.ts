/**
 * LeakyRelu's gradient, dy * step(x, alpha), as one kernel (`CganLeakyReluGrad` {dy, x}, attr
 * alpha) where the native kernels are active (packages/native-kernels: leakyReluGrad, one pass),
 * instead of Step and Multiply (two passes, one intermediate). The values are the same: dy * 1
 * where x > 0, NaN where x is NaN, dy * alpha (one float32 product) elsewhere. Elsewhere (cpu,
 * tensorflow, wasm without the addon) the two tfjs ops run: the reference
 * (test/models/runtime/leaky_relu_kernel.test.ts). The forward LeakyRelu runs in the addon too
 * (kernels/native.ts).
 *
 * The kernel is linear in dy, so its gradient with respect to dy is itself (with the upstream
 * gradient as dy) and with respect to x zero: second-order gradients (WGAN-GP) stay exact.
 */
import * as tf from '@tensorflow/tfjs-core';
import { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { activeNativeKernels, NativeKernelsAddon } from './native';
import { WasmBackendLike } from './wasm_util';

export const LEAKY_RELU_GRAD_KERNEL = 'CganLeakyReluGrad';

/** The addon that runs the kernel, while the native kernels are active and it has it. */
function addon(): NativeKernelsAddon | null {
  const a = activeNativeKernels();
  return a?.leakyReluGrad ? a : null;
}

const wasmKernel: KernelFunc = ({ inputs, attrs, backend }) => {
  const b = backend as unknown as WasmBackendLike;
  const { dy, x } = inputs as Record<string, TensorInfo>;
  const a = addon();
  if (!a || dy.dtype !== 'float32' || x.dtype !== 'float32' || !tf.util.arraysEqual(dy.shape, x.shape)) {
    throw new Error(`${LEAKY_RELU_GRAD_KERNEL} needs the native kernels to be active and float32 dy and x of one shape, got [${dy.shape}] ${dy.dtype} and [${x.shape}] ${x.dtype}.`);
  }
  const dx = b.makeOutput(x.shape, 'float32');
  a.leakyReluGrad!(b.typedArrayFromHeap(dy), b.typedArrayFromHeap(x), b.typedArrayFromHeap(dx), attrs!.alpha as number);
  return dx;
};

export const leakyReluGradWasmConfig: KernelConfig = { kernelName: LEAKY_RELU_GRAD_KERNEL, backendName: 'wasm', kernelFunc: wasmKernel };

/** dy * step(x, alpha): the kernel above where it runs, else tf.step and tf.mul. */
export function leakyReluGrad(dy: tf.Tensor, x: tf.Tensor, alpha: number): tf.Tensor {
  const a = Math.fround(alpha);
  if (tf.getBackend() === 'wasm' && addon() && tf.getKernel(LEAKY_RELU_GRAD_KERNEL, 'wasm') && dy.dtype === 'float32' && x.dtype === 'float32' && tf.util.arraysEqual(dy.shape, x.shape)) {
    return tf.engine().runKernel(LEAKY_RELU_GRAD_KERNEL, { dy, x }, { alpha: a }) as tf.Tensor;
  }
  return tf.mul(dy, tf.step(x, a));
}

/** Its gradient: linear in dy (itself), zero in x. */
export function registerLeakyReluGradGradient(): void {
  tf.registerGradient({
    kernelName: LEAKY_RELU_GRAD_KERNEL,
    inputsToSave: ['x'],
    gradFunc: (g, saved, attrs) => {
      const [x] = saved;
      return { dy: () => leakyReluGrad(g as tf.Tensor, x, (attrs as unknown as { alpha: number }).alpha), x: () => tf.zerosLike(x) };
    },
  });
}
