/**
 * Gradient registrations for eager training with tfjs-core's CommonJS build:
 * - tfjs-core's node bundle registers no gradient functions; tfjs-layers' bundle registers all of
 *   them (into the global registry shared with tfjs-core), so importing it is enough.
 * - Comparison ops (Greater, Less, ...) have no registered gradient in tfjs. TensorFlow treats them
 *   as non-differentiable (zero gradient). They appear on the tape inside the backward pass of
 *   relu / leaky_relu / where, so second-order gradients (WGAN-GP, DRAGAN) need a zero gradient for
 *   them. We register one only where tfjs has none.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';

const NON_DIFFERENTIABLE_BINARY = ['Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Equal', 'NotEqual', 'LogicalAnd', 'LogicalOr'];

for (const kernelName of NON_DIFFERENTIABLE_BINARY) {
  if (!tf.getGradient(kernelName)) {
    tf.registerGradient({
      kernelName,
      inputsToSave: ['a', 'b'],
      gradFunc: (_dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => ({
        a: () => tf.zerosLike(saved[0]),
        b: () => tf.zerosLike(saved[1]),
      }),
    });
  }
}

/** True once the gradient registry can differentiate the ops training needs. */
export function gradientsReady(): boolean {
  return tf.getGradient('Sum') != null && tf.getGradient('Greater') != null;
}
