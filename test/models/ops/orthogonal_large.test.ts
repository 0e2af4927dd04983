/** The orthogonal initializer's CholeskyQR2 path (kernels above 2^20 elements, e.g. BigGAN's). */
import * as tf from '@tensorflow/tfjs-core';
import { choleskyQr2, orthogonalInit } from '../../../packages/models/src/ops/initializers';
import { useCpu } from '../architectures/helpers';

beforeAll(useCpu);

test('CholeskyQR2 gives the sign-corrected Householder Q (QR with diag(R) > 0 is unique)', () => {
  for (const [m, n, seed] of [[300, 100, 5], [64, 64, 9]]) {
    const householder = orthogonalInit()([m, n], seed); // below the threshold: ml-matrix
    const fast = choleskyQr2(m, n, seed)!;
    expect(tf.max(tf.abs(tf.sub(householder, fast))).dataSync()[0]).toBeLessThan(1e-4);
    const gram = tf.matMul(fast, fast, true, false);
    expect(tf.max(tf.abs(tf.sub(gram, tf.eye(n)))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([householder, fast, gram]);
  }
});

test('a kernel above 2^20 elements is orthonormal, wide ones by rows, and uses the gain', () => {
  const k = orthogonalInit(2)([1, 1, 4100, 256], 3); // 1,049,600 elements: CholeskyQR2
  expect(k.shape).toEqual([1, 1, 4100, 256]);
  const m = tf.reshape(k, [4100, 256]);
  const gram = tf.matMul(m, m, true, false);
  expect(tf.max(tf.abs(tf.sub(gram, tf.mul(tf.eye(256), 4)))).dataSync()[0]).toBeLessThan(1e-4);
  const w = tf.reshape(orthogonalInit()([256, 4100], 3), [256, 4100]); // wide: orthonormal rows
  const rowGram = tf.matMul(w, w, false, true);
  expect(tf.max(tf.abs(tf.sub(rowGram, tf.eye(256)))).dataSync()[0]).toBeLessThan(1e-5);
  tf.dispose([k, m, gram, w, rowGram]);
});
