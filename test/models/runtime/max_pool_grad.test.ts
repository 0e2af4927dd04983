/**
 * The wasm MaxPoolGrad for non-overlapping windows: the same floats as the cpu backend, ties
 * included (the gradient goes to the first maximum of each window, as tfjs's cpu kernel does).
 */
import * as tf from '@tensorflow/tfjs-core';
import { valuesOn } from './helpers';

test.each([
  [[2, 8, 8, 3], 2, 2, 'valid', false],
  [[2, 8, 8, 3], 2, 2, 'valid', true], // many ties: values rounded to integers
  [[1, 9, 7, 2], 2, 2, 'valid', true], // rows/columns outside every window get 0
  [[2, 6, 8, 1], [2, 4], [2, 4], 'valid', true],
  [[2, 9, 9, 2], 3, 3, 'valid', true],
  [[2, 8, 8, 2], 2, 2, 'same', true], // 'same' on even sizes has no padding: the fast path
  [[2, 7, 7, 2], 3, 2, 'same', true], // overlapping, padded: the cpu fallback
] as const)('maxPool gradient of %j (window %j, stride %j, %s, ties %s) equals cpu', async (shape, f, s, pad, ties) => {
  const fn = () => {
    const r = tf.randomNormal([...shape], 0, 1, 'float32', 5) as tf.Tensor4D;
    const x = ties ? (tf.round(r) as tf.Tensor4D) : r;
    const y = tf.maxPool(x, f as never, s as never, pad);
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 6);
    return [tf.grad((a: tf.Tensor4D) => tf.sum(tf.mul(tf.maxPool(a, f as never, s as never, pad), dy)))(x)];
  };
  const [w] = await valuesOn('wasm', fn);
  const [c] = await valuesOn('cpu', fn);
  expect(Array.from(w)).toEqual(Array.from(c));
});
