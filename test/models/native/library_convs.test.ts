/**
 * The GAN library's 'same' convolutions (ops/conv.ts) on the native path, where their kernel
 * gradient is one native Conv2DBackpropFilter, against the cpu backend (which takes the
 * pad-transpose-conv path): values, gradients and second-order gradients (a gradient penalty).
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadNativeKernels, nativeKernelsActive, setNativeKernels, useBackend } from '@cgan/models';
import { conv2dSame, conv2dTransposeSame } from '../../../packages/models/src/ops/conv';
import { maxRelDiff, valuesOn } from '../runtime/helpers';

const { addon, reason } = loadNativeKernels();
const describeNative = addon ? describe : describe.skip;
if (!addon) console.log(`native library conv tests skipped: ${reason}`);
const n = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

async function nativeVsCpu(fn: () => tf.Tensor[]): Promise<number> {
  await useBackend('wasm');
  setNativeKernels(true);
  expect(nativeKernelsActive()).toBe(true);
  const ts = tf.tidy(fn);
  const w = ts.map((t) => Float32Array.from(t.dataSync() as Float32Array));
  tf.dispose(ts);
  const c = await valuesOn('cpu', fn);
  return Math.max(...w.map((x, i) => maxRelDiff(x, c[i])));
}

describeNative('ops/conv.ts on the native path', () => {
  test.each([
    [8, 3, 1, 2, 3],
    [7, 4, 2, 2, 3],
    [9, 3, 2, 1, 2],
    [4, 1, 1, 3, 2],
  ])('conv2dSame / conv2dTransposeSame %i px, k=%i, stride=%i: values and gradients', async (size, k, s, cin, cout) => {
    const d = await nativeVsCpu(() => {
      const x = n([2, size, size, cin], 1) as tf.Tensor4D;
      const w = n([k, k, cin, cout], 2) as tf.Tensor4D;
      const y = conv2dSame(x, w, [s, s]);
      const c = n(y.shape, 3);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv2dSame(a as tf.Tensor4D, b as tf.Tensor4D, [s, s]), c)))([x, w]);
      const small = Math.ceil(size / s);
      const xt = n([2, small, small, cin], 4) as tf.Tensor4D;
      const wt = n([k, k, cout, cin], 5) as tf.Tensor4D;
      const out: [number, number, number, number] = [2, size, size, cout];
      const ct = n(out, 6);
      const gt = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv2dTransposeSame(a as tf.Tensor4D, b as tf.Tensor4D, out, [s, s]), ct)))([xt, wt]);
      return [y, ...g, conv2dTransposeSame(xt, wt, out, [s, s]), ...gt];
    });
    expect(d).toBeLessThan(1e-4);
  });

  test('second-order gradients (a gradient penalty through both convolutions)', async () => {
    const d = await nativeVsCpu(() => {
      const x = n([2, 8, 8, 2], 7);
      const w1 = n([3, 3, 2, 3], 8);
      const w2 = n([4, 4, 3, 2], 9);
      const wt = n([4, 4, 3, 2], 10);
      const penalty = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
        const f = (inp: tf.Tensor) => {
          const h = conv2dSame(tf.tanh(conv2dSame(inp as tf.Tensor4D, a as tf.Tensor4D, [1, 1])) as tf.Tensor4D, b as tf.Tensor4D, [2, 2]);
          return tf.sum(tf.square(conv2dTransposeSame(tf.tanh(h) as tf.Tensor4D, c as tf.Tensor4D, [2, 8, 8, 3], [2, 2])));
        };
        return tf.sum(tf.square(tf.grad(f)(x)));
      };
      return tf.grads(penalty)([w1, w2, wt]);
    });
    expect(d).toBeLessThan(1e-3);
  });
});
