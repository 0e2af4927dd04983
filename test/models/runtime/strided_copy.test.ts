/**
 * The wasm Slice and Reverse kernels (runtime/kernels/strided_copy.ts: copies of contiguous runs)
 * against the cpu backend's: the same values, bit for bit, on every rank, axis set and offset
 * pattern (whole trailing axes, a cropped last axis, rank 1, empty slices), float32 and int32, and
 * the gradients through them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { valuesOn } from './helpers';

const x4 = () => tf.add(tf.reshape(tf.range(0, 2 * 5 * 6 * 3), [2, 5, 6, 3]), 0.5) as tf.Tensor4D;

const cases: Array<[string, () => tf.Tensor[]]> = [
  ['crop of the middle axes (ResNet G output)', () => [tf.slice(x4(), [0, 1, 2, 0], [-1, 3, 3, -1])]],
  ['cropped last axis', () => [tf.slice(x4(), [1, 0, 1, 1], [1, 5, 4, 2])]],
  ['leading axis only (contiguous)', () => [tf.slice(x4(), [1, 0, 0, 0], [1, -1, -1, -1])]],
  ['rank 1 and rank 2', () => [tf.slice(tf.range(0, 10), [3], [4]), tf.slice(tf.reshape(tf.range(0, 12), [3, 4]), [1, 1], [2, 2])]],
  ['int32', () => [tf.slice(tf.reshape(tf.range(0, 60, 1, 'int32'), [3, 4, 5]), [1, 1, 2], [2, 2, 3])]],
  ['empty slice', () => [tf.slice(x4(), [0, 0, 0, 0], [2, 0, 6, 3])]],
  ['reverse of the spatial axes of a kernel', () => [tf.reverse(x4(), [0, 1])]],
  ['reverse of the last axis', () => [tf.reverse(x4(), [3]), tf.reverse(x4(), [1, 3])]],
  ['reverse of every axis, of none, rank 1', () => [tf.reverse(x4()), tf.reverse(x4(), []), tf.reverse(tf.range(0, 7), 0)]],
  ['reverse int32', () => [tf.reverse(tf.reshape(tf.range(0, 24, 1, 'int32'), [2, 3, 4]), [0, 2])]],
  [
    'gradients through slice and reverse',
    () => {
      const w = tf.randomNormal([3, 4, 5, 2], 0, 1, 'float32', 1);
      const c = tf.randomNormal([3, 4, 3, 2], 0, 1, 'float32', 2);
      return [tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.slice(tf.reverse(v, [1, 2]), [0, 0, 1, 0], [-1, -1, 3, -1]), c)))(w)];
    },
  ],
];

test.each(cases)('%s: wasm equals cpu', async (_, fn) => {
  const w = await valuesOn('wasm', fn);
  const c = await valuesOn('cpu', fn);
  expect(w.map((a) => Array.from(a))).toEqual(c.map((a) => Array.from(a)));
  expect(w.some((a) => a.length > 0) || _ === 'empty slice').toBe(true);
});

test('wasm runs the strided-copy kernels (not the shipped ones)', async () => {
  await valuesOn('wasm', () => []);
  expect(tf.getKernel('Slice', 'wasm')!.kernelFunc.toString()).toContain('forEachOuter');
  expect(tf.getKernel('Reverse', 'wasm')!.kernelFunc.toString()).toContain('forEachOuter');
});
