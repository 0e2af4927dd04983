/**
 * Gradient overrides that compute the same values with fewer kernels (every backend):
 *
 * - LeakyRelu: tfjs computes where(x > 0, dy, dy * alpha), three kernels and a boolean mask per
 *   layer and step. dy * step(x, alpha) is the same product (step(x, a) = 1 for x > 0, else a)
 *   in two kernels; step's gradient is zero, so second-order gradients (WGAN-GP) are unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
// Registers tfjs's own gradients first, so that ours replace them rather than the reverse.
import '@tensorflow/tfjs-layers';

let registered = false;

export function registerGradientOverrides(): void {
  if (registered) return;
  registered = true;
  tf.registerGradient({
    kernelName: tf.LeakyRelu,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const alpha = (attrs as unknown as tf.LeakyReluAttrs).alpha;
      return { x: () => tf.mul(dy as tf.Tensor, tf.step(x, alpha)) };
    },
  });
}

registerGradientOverrides();
