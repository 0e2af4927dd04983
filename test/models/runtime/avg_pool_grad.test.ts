/** The wasm AvgPoolGrad for non-overlapping windows: the same floats as the cpu backend. */
import * as tf from '@tensorflow/tfjs-core';
import { maxRelDiff, valuesOn } from './helpers';

test.each([
  [[2, 8, 8, 3], 2, 2, 'valid'],
  [[1, 9, 7, 2], 2, 2, 'valid'], // rows/columns outside every window get 0
  [[2, 6, 8, 1], [2, 4], [2, 4], 'valid'],
  [[2, 9, 9, 2], 3, 3, 'valid'], // 1/9 is not exact: the shipped kernel
  [[2, 8, 8, 2], 3, 2, 'same'], // overlapping, padded: the shipped kernel
] as const)('avgPool gradient of %j (window %j, stride %j, %s) equals cpu', async (shape, f, s, pad) => {
  const fn = () => {
    const x = tf.randomNormal([...shape], 0, 1, 'float32', 5) as tf.Tensor4D;
    const y = tf.avgPool(x, f as never, s as never, pad);
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 6);
    return [tf.grad((a: tf.Tensor4D) => tf.sum(tf.mul(tf.avgPool(a, f as never, s as never, pad), dy)))(x)];
  };
  const [w] = await valuesOn('wasm', fn);
  const [c] = await valuesOn('cpu', fn);
  const exact = pad === 'valid' && (f === 2 || Array.isArray(f));
  if (exact) expect(Array.from(w)).toEqual(Array.from(c));
  else expect(maxRelDiff(w, c)).toBeLessThan(1e-5);
});
