/**
 * ops/layers.ts's lrelu runs as one LeakyRelu kernel: the same values and gradients (first and
 * second order) as compare_gan's max(x, leak * x), on wasm and cpu, bit for bit away from x = 0.
 */
import * as tf from '@tensorflow/tfjs-core';
import { lrelu } from '../../../packages/models/src/ops';
import { valuesOn } from './helpers';

const reference = (x: tf.Tensor, leak: number) => tf.maximum(x, tf.mul(x, leak));

test.each(['wasm', 'cpu'] as const)('lrelu = max(x, leak x) with its gradients on %s', async (backend) => {
  for (const leak of [0.2, 0.1]) {
    const run = (f: (x: tf.Tensor, leak: number) => tf.Tensor) => () => {
      const x = tf.randomNormal([3, 5, 7, 4], 0, 2, 'float32', 3);
      const w = tf.randomNormal([4], 0, 1, 'float32', 4);
      const y = f(x, leak);
      const gx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a, leak), w)))(x);
      // a second-order term: d/dw of |d/dx sum(f(x * w))|^2
      const gw = tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.grad((a: tf.Tensor) => tf.sum(tf.square(f(tf.mul(a, v), leak))))(x))))(w);
      return [y, gx, gw];
    };
    const ours = await valuesOn(backend, run(lrelu));
    const ref = await valuesOn(backend, run(reference));
    ours.forEach((o, i) => expect(Array.from(o)).toEqual(Array.from(ref[i])));
  }
});

test('a leak above 1 keeps max(x, leak x)', async () => {
  const [a, b] = await valuesOn('cpu', () => [lrelu(tf.tensor1d([-2, 3]), 2), reference(tf.tensor1d([-2, 3]), 2)]);
  expect(Array.from(a)).toEqual(Array.from(b));
});
