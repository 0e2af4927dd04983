/** The wasm Identity kernel shares memory (no copy) and keeps tfjs's reference counting right. */
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@cgan/models';

beforeAll(async () => {
  await useBackend('wasm');
});

test('clone shares the data, each handle can be disposed first, memory returns to where it was', () => {
  const before = tf.memory().numDataBuffers;
  const x = tf.tensor1d([1, 2, 3]);
  const y = tf.clone(x);
  expect(tf.memory().numDataBuffers - before).toBe(1); // one buffer, not two
  x.dispose();
  expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
  const z = tf.clone(y);
  y.dispose();
  const w = tf.add(z, 1);
  expect(Array.from(w.dataSync())).toEqual([2, 3, 4]);
  z.dispose();
  w.dispose();
  expect(tf.memory().numDataBuffers).toBe(before);
});

test('gradients that save their inputs (through Engine.clone) are unchanged, and nothing leaks', () => {
  const x = tf.tensor2d([[1, -2], [3, 4]]);
  const expected = tf.tidy(() => Array.from(tf.mul(tf.exp(x), tf.add(tf.square(x), tf.mul(x, 2))).dataSync()));
  const n0 = tf.memory().numTensors;
  const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.exp(a), tf.square(a))))(x);
  expect(Array.from(g.dataSync())).toEqual(expected);
  g.dispose();
  expect(tf.memory().numTensors).toBe(n0);
  x.dispose();
});

test('string tensors keep the shipped kernel', () => {
  const s = tf.tensor1d(['a', 'b'], 'string');
  const c = tf.clone(s);
  s.dispose();
  expect(c.arraySync()).toEqual(['a', 'b']);
  c.dispose();
});

test('a cast to the same dtype shares the data; a conversion still converts', () => {
  const before = tf.memory().numDataBuffers;
  const x = tf.tensor1d([1.5, -2.5]);
  const y = tf.cast(x, 'float32');
  expect(tf.memory().numDataBuffers - before).toBe(1);
  x.dispose();
  expect(Array.from(y.dataSync())).toEqual([1.5, -2.5]);
  const i = tf.cast(y, 'int32');
  expect(i.dtype).toBe('int32');
  expect(Array.from(i.dataSync())).toEqual([1, -2]);
  tf.dispose([y, i]);
  expect(tf.memory().numDataBuffers).toBe(before);
});
