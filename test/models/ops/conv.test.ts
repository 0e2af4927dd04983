/** The fast-gradient convolutions equal tf.conv2d / tf.conv2dTranspose, gradients included. */
import * as tf from '@tensorflow/tfjs-core';
import { conv2dSame, conv2dTransposeSame } from '../../../packages/models/src/ops/conv';
import '../../../packages/models/src/ops/context';
import { useCpu } from '../architectures/helpers';

beforeAll(useCpu);

function expectClose(a: tf.Tensor, b: tf.Tensor, tol = 1e-4): void {
  expect(a.shape).toEqual(b.shape);
  const d = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
  const scale = Math.max(1, tf.max(tf.abs(b)).dataSync()[0]);
  expect(d / scale).toBeLessThan(tol);
}

const convCases: Array<[number, number, number, number, number]> = [
  // [size, k, stride, cin, cout]
  [8, 3, 1, 2, 3],
  [8, 5, 2, 3, 2],
  [7, 4, 2, 2, 3],
  [9, 3, 2, 1, 2],
  [4, 1, 1, 3, 2],
];

test.each(convCases)('conv2d %i px, k=%i, stride=%i: value and gradients match tf.conv2d', (size, k, s, cin, cout) => {
  tf.tidy(() => {
    const x = tf.randomNormal([2, size, size, cin], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([k, k, cin, cout], 0, 1, 'float32', 2) as tf.Tensor4D;
    const c = tf.randomNormal(tf.conv2d(x, w, s, 'same').shape, 0, 1, 'float32', 3);
    expectClose(conv2dSame(x, w, [s, s]), tf.conv2d(x, w, s, 'same'));
    const fast = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv2dSame(a as tf.Tensor4D, b as tf.Tensor4D, [s, s]), c)))([x, w]);
    const ref = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, 'same'), c)))([x, w]);
    expectClose(fast[0], ref[0]);
    expectClose(fast[1], ref[1]);
  });
});

test.each(convCases)('conv2dTranspose %i px, k=%i, stride=%i: value and gradients match', (size, k, s, cin, cout) => {
  tf.tidy(() => {
    const small = Math.ceil(size / s);
    const x = tf.randomNormal([2, small, small, cin], 0, 1, 'float32', 4) as tf.Tensor4D;
    const w = tf.randomNormal([k, k, cout, cin], 0, 1, 'float32', 5) as tf.Tensor4D;
    const out: [number, number, number, number] = [2, size, size, cout];
    const c = tf.randomNormal(out, 0, 1, 'float32', 6);
    expectClose(conv2dTransposeSame(x, w, out, [s, s]), tf.conv2dTranspose(x, w, out, s, 'same'));
    const fast = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv2dTransposeSame(a as tf.Tensor4D, b as tf.Tensor4D, out, [s, s]), c)))([x, w]);
    const ref = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, out, s, 'same'), c)))([x, w]);
    expectClose(fast[0], ref[0]);
    expectClose(fast[1], ref[1]);
  });
});

test('second-order gradients (a gradient penalty) match the built-in convolution', () => {
  tf.tidy(() => {
    const x = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 7) as tf.Tensor4D;
    const w1 = tf.randomNormal([3, 3, 2, 3], 0, 1, 'float32', 8) as tf.Tensor4D;
    const w2 = tf.randomNormal([4, 4, 3, 2], 0, 1, 'float32', 9) as tf.Tensor4D;
    type Conv = (a: tf.Tensor4D, b: tf.Tensor4D, s: number) => tf.Tensor4D;
    const penalty = (conv: Conv) => (a: tf.Tensor, b: tf.Tensor) => {
      const d = (inp: tf.Tensor) => tf.sum(tf.square(conv(tf.tanh(conv(inp as tf.Tensor4D, a as tf.Tensor4D, 1)) as tf.Tensor4D, b as tf.Tensor4D, 2)));
      const gx = tf.grad(d)(x);
      return tf.sum(tf.square(gx));
    };
    const fast = tf.grads(penalty((a, b, s) => conv2dSame(a, b, [s, s])))([w1, w2]);
    const ref = tf.grads(penalty((a, b, s) => tf.conv2d(a, b, s, 'same')))([w1, w2]);
    expectClose(fast[0], ref[0], 1e-3);
    expectClose(fast[1], ref[1], 1e-3);
  });
});
