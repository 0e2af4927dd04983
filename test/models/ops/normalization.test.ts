/** batch_norm (moving averages / accumulators), conditional and self-modulated batch norm, layer norm. */
import * as tf from '@tensorflow/tfjs-core';
import { config } from '@cgan/config-lang';
import {
  batch_norm, conditional_batch_norm, layer_norm, no_batch_norm, opContext, resetBnAccumulators, self_modulated_batch_norm,
  setBnAccumulatorUpdates, standardize_batch,
} from '../../../packages/models/src/ops';
import { VariableStore } from '../../../packages/models/src/core/variables';
import { Rng } from '../../../packages/models/src/core/rng';
import { bind, oneHot, useCpu } from '../architectures/helpers';

beforeAll(useCpu);
afterEach(() => config.clear());

const values = (t: tf.Tensor) => Array.from(t.dataSync());

function withStore<T>(fn: (store: VariableStore) => T): T {
  const store = new VariableStore();
  try {
    return fn(store);
  } finally {
    store.dispose();
  }
}

test('training mode standardises each channel by the batch statistics', () => withStore((store) => {
  const x = tf.add(tf.mul(tf.randomNormal([4, 3, 3, 2], 0, 1, 'float32', 1), 3), 5);
  const out = batch_norm({ ctx: opContext(store, true), inputs: x, name: 'bn' }) as tf.Tensor;
  const { mean, variance } = tf.moments(out, [0, 1, 2]);
  for (const m of values(mean)) expect(m).toBeCloseTo(0, 4);
  for (const v of values(variance)) expect(v).toBeCloseTo(1, 2); // epsilon 1e-3 against variance ~9
  expect([...store.all().keys()].sort()).toEqual(['bn/beta', 'bn/gamma', 'bn/moving_mean', 'bn/moving_variance']);
}));

test('moving averages update in training (decay) and are used in inference', () => withStore((store) => {
  bind('standardize_batch', 'decay', 0.5);
  bind('standardize_batch', 'epsilon', 1e-5);
  const x = tf.tensor4d([1, 10, 3, 20, 5, 30, 7, 40], [4, 1, 1, 2]); // channel means 4, 25; variances 5, 125
  batch_norm({ ctx: opContext(store, true), inputs: x, name: 'bn' });
  const mm = store.all().get('bn/moving_mean')!;
  const mv = store.all().get('bn/moving_variance')!;
  expect(mm.trainable).toBe(false);
  expect(values(mm)[0]).toBeCloseTo(0.5 * 0 + 0.5 * 4, 4);
  expect(values(mm)[1]).toBeCloseTo(12.5, 4);
  expect(values(mv)[0]).toBeCloseTo(0.5 * 1 + 0.5 * 5, 4);
  expect(values(mv)[1]).toBeCloseTo(0.5 + 62.5, 3);
  // Inference: no update, normalised by the moving statistics.
  const probe = tf.tensor4d([2, 50], [1, 1, 1, 2]);
  const out = batch_norm({ ctx: opContext(store, false), inputs: probe, name: 'bn' }) as tf.Tensor;
  expect(values(mm)).toEqual([2, 12.5]);
  expect(values(out)[0]).toBeCloseTo((2 - 2) / Math.sqrt(3 + 1e-5), 4);
  expect(values(out)[1]).toBeCloseTo((50 - 12.5) / Math.sqrt(63 + 1e-5), 4);
}));

test('rank-2 inputs are normalised per feature', () => withStore((store) => {
  const x = tf.tensor2d([[1, 2], [3, 6]]);
  const out = standardize_batch({ ctx: opContext(store, true), inputs: x, epsilon: 0 }) as tf.Tensor;
  expect(out.shape).toEqual([2, 2]);
  expect(values(out).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([-1, -1, 1, 1]);
}));

test('use_moving_averages = False: accumulators fill in inference when update_accus is on', () => withStore((store) => {
  bind('standardize_batch', 'use_moving_averages', false);
  bind('standardize_batch', 'epsilon', 1e-5);
  const a = tf.tensor4d([0, 2, 4, 6], [4, 1, 1, 1]); // mean 3, var 5
  const b = tf.tensor4d([10, 12, 14, 16], [4, 1, 1, 1]); // mean 13, var 5
  batch_norm({ ctx: opContext(store, true), inputs: a, name: 'bn' });
  expect(store.has('bn/accu/accu_mean')).toBe(true);
  expect(store.has('bn/moving_mean')).toBe(false);
  setBnAccumulatorUpdates(store, true);
  batch_norm({ ctx: opContext(store, false), inputs: a, name: 'bn' });
  batch_norm({ ctx: opContext(store, false), inputs: b, name: 'bn' });
  setBnAccumulatorUpdates(store, false);
  expect(values(store.all().get('bn/accu/accu_mean')!)[0]).toBeCloseTo(16, 4);
  const out = batch_norm({ ctx: opContext(store, false), inputs: tf.tensor4d([8], [1, 1, 1, 1]), name: 'bn' }) as tf.Tensor;
  expect(values(out)[0]).toBeCloseTo((8 - 8) / Math.sqrt(5), 3); // accumulated mean 8, variance 5
  expect(values(store.all().get('bn/accu/accu_counter')!)[0]).toBeCloseTo(2, 5);
  resetBnAccumulators(store);
  expect(values(store.all().get('bn/accu/accu_mean')!)[0]).toBe(0);
}));

test('conditional batch norm uses the labels', () => withStore((store) => {
  const ctx = opContext(store, true, new Rng(2));
  const x = tf.randomNormal([2, 2, 2, 4], 0, 1, 'float32', 3);
  const out1 = conditional_batch_norm({ ctx, inputs: x, y: oneHot([0, 1], 3), name: 'cbn' }) as tf.Tensor;
  const out2 = conditional_batch_norm({ ctx, inputs: x, y: oneHot([2, 1], 3), name: 'cbn' }) as tf.Tensor;
  // Example 0 changed class, example 1 did not.
  const d = tf.abs(tf.sub(out1, out2));
  expect(tf.max(tf.slice(d, [0, 0, 0, 0], [1, -1, -1, -1])).dataSync()[0]).toBeGreaterThan(1e-4);
  expect(tf.max(tf.slice(d, [1, 0, 0, 0], [1, -1, -1, -1])).dataSync()[0]).toBeLessThan(1e-6);
  expect([...store.all().keys()].filter((n) => !n.includes('moving')).sort()).toEqual(['cbn/condition/beta/kernel', 'cbn/condition/gamma/kernel']);
  // gamma and beta are linear in y: out = standardized * (y Wg) + y Wb.
  const std = standardize_batch({ ctx: opContext(store, false), inputs: x, use_moving_averages: true, is_training: true }) as tf.Tensor;
  const wg = store.all().get('cbn/condition/gamma/kernel')!;
  const wb = store.all().get('cbn/condition/beta/kernel')!;
  const y = oneHot([0, 1], 3);
  const expected = tf.add(tf.mul(std, tf.reshape(tf.matMul(y, wg), [2, 1, 1, 4])), tf.reshape(tf.matMul(y, wb), [2, 1, 1, 4]));
  expect(tf.max(tf.abs(tf.sub(expected, out1))).dataSync()[0]).toBeLessThan(1e-5);
  expect(() => conditional_batch_norm({ ctx, inputs: x, y: null, name: 'cbn' })).toThrow(/needs class labels y/);
}));

test('conditional_batch_norm.use_bias adds biases to the projections', () => withStore((store) => {
  bind('conditional_batch_norm', 'use_bias', true);
  conditional_batch_norm({ ctx: opContext(store, true), inputs: tf.ones([2, 3]), y: oneHot([0, 1], 2), name: 'cbn' });
  expect(store.has('cbn/condition/gamma/bias')).toBe(true);
}));

test('conditional_batch_norm.gain_offset: gamma = offset + linear(y) (0, the default, is compare_gan\'s ~0 gamma at init)', () => withStore((store) => {
  const ctx = opContext(store, true, new Rng(2));
  const x = tf.randomNormal([2, 2, 2, 4], 0, 1, 'float32', 3);
  const y = oneHot([0, 1], 3);
  const plain = conditional_batch_norm({ ctx, inputs: x, y, name: 'cbn' }) as tf.Tensor;
  bind('conditional_batch_norm', 'gain_offset', 1);
  const offset = conditional_batch_norm({ ctx, inputs: x, y, name: 'cbn' }) as tf.Tensor; // same variables
  const std = standardize_batch({ ctx: opContext(store, false), inputs: x, use_moving_averages: true, is_training: true }) as tf.Tensor;
  // The offset adds exactly the standardized input; no variable was added.
  expect(tf.max(tf.abs(tf.sub(tf.sub(offset, plain), std))).dataSync()[0]).toBeLessThan(1e-5);
  expect([...store.all().keys()].filter((n) => !n.includes('moving')).sort()).toEqual(['cbn/condition/beta/kernel', 'cbn/condition/gamma/kernel']);
  // At init, compare_gan's gamma scales the layer by ~0.02; with the offset, by ~1.
  const scale = (t: tf.Tensor) => tf.moments(tf.sub(t, tf.mean(t, [0, 1, 2]))).variance.dataSync()[0];
  expect(scale(plain)).toBeLessThan(0.01);
  expect(scale(offset)).toBeGreaterThan(0.5);
}));

test('self-modulated batch norm takes gamma and beta from z', () => withStore((store) => {
  bind('self_modulated_batch_norm', 'num_hidden', 5);
  const ctx = opContext(store, true, new Rng(4));
  const x = tf.randomNormal([2, 2, 2, 3], 0, 1, 'float32', 5);
  const z1 = tf.randomNormal([2, 4], 0, 1, 'float32', 6) as tf.Tensor2D;
  const z2 = tf.concat([tf.slice(z1, [0, 0], [1, -1]), tf.randomNormal([1, 4], 0, 1, 'float32', 7)]) as tf.Tensor2D;
  const a = self_modulated_batch_norm({ ctx, inputs: x, z: z1, name: 'sbn' }) as tf.Tensor;
  const b = self_modulated_batch_norm({ ctx, inputs: x, z: z2, name: 'sbn' }) as tf.Tensor;
  const d = tf.abs(tf.sub(a, b));
  expect(tf.max(tf.slice(d, [0, 0, 0, 0], [1, -1, -1, -1])).dataSync()[0]).toBeLessThan(1e-6);
  expect(tf.max(tf.slice(d, [1, 0, 0, 0], [1, -1, -1, -1])).dataSync()[0]).toBeGreaterThan(1e-5);
  expect(store.all().get('sbn/sbn/hidden/kernel')!.shape).toEqual([4, 5]);
  expect(values(store.all().get('sbn/sbn/gamma/bias')!)).toEqual([1, 1, 1]); // bias_start 1: gamma ~ 1
  expect(() => self_modulated_batch_norm({ ctx, inputs: x, z: null, name: 'sbn' })).toThrow(/needs z/);
}));

test('layer norm normalises each example over all its axes', () => withStore((store) => {
  const x = tf.add(tf.randomNormal([3, 2, 2, 4], 0, 2, 'float32', 8), tf.reshape(tf.tensor1d([0, 10, -5]), [3, 1, 1, 1]));
  const out = layer_norm({ ctx: opContext(store, true), inputs: x, scope: 'ln' }) as tf.Tensor;
  const { mean, variance } = tf.moments(out, [1, 2, 3]);
  for (const m of values(mean)) expect(m).toBeCloseTo(0, 4);
  for (const v of values(variance)) expect(v).toBeCloseTo(1, 3);
  expect([...store.all().keys()].sort()).toEqual(['ln/beta', 'ln/gamma']);
}));

test('no_batch_norm is the identity', () => {
  const x = tf.tensor2d([[1, 2]]);
  expect(no_batch_norm({ inputs: x })).toBe(x);
});
