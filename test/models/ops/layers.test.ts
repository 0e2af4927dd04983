/** Layers, unpooling, the non-local block and the projection term. */
import * as tf from '@tensorflow/tfjs-core';
import { config } from '@cgan/config-lang';
import { conv1x1, conv2d, deconv2d, linear, lrelu, non_local_block, opContext, projectY } from '../../../packages/models/src/ops';
import { unpool } from '../../../packages/models/src/architectures/resnet_ops';
import { VariableStore } from '../../../packages/models/src/core/variables';
import { Rng } from '../../../packages/models/src/core/rng';
import { bind, oneHot, useCpu } from '../architectures/helpers';

beforeAll(useCpu);
afterEach(() => config.clear());

function withStore<T>(fn: (store: VariableStore) => T): T {
  const store = new VariableStore();
  try {
    return fn(store);
  } finally {
    store.dispose();
  }
}

test('linear: x W + b with TF1 variable names, bias_start, no bias, spectral norm', () => withStore((store) => {
  const ctx = opContext(store, true, new Rng(1));
  const x = tf.tensor2d([[1, 2, 3]]);
  const out = linear(ctx, x, 2, { scope: 'fc', bias_start: 0.5 });
  const w = store.all().get('fc/kernel')!;
  const expected = tf.add(tf.matMul(x, w), 0.5);
  expect(Array.from(out.dataSync())).toEqual(Array.from(expected.dataSync()));
  linear(ctx, x, 2, { scope: 'nobias', use_bias: false, use_sn: true });
  expect(store.has('nobias/bias')).toBe(false);
  expect(store.has('nobias/kernel/u_var')).toBe(true);
  expect(() => linear(ctx, tf.ones([1, 2, 2]), 2)).toThrow(/\[batch, features\]/);
  // Reusing a scope reuses its variables.
  const again = linear(ctx, x, 2, { scope: 'fc', bias_start: 0.5 });
  expect(Array.from(again.dataSync())).toEqual(Array.from(out.dataSync()));
}));

test('conv2d / conv1x1 / deconv2d shapes (SAME padding) and kernels', () => withStore((store) => {
  const ctx = opContext(store, true);
  const x = tf.ones([2, 7, 7, 3]) as tf.Tensor4D;
  expect(conv2d(ctx, x, 5, { k_h: 4, k_w: 4, d_h: 2, d_w: 2, name: 'c' }).shape).toEqual([2, 4, 4, 5]);
  expect(store.all().get('c/kernel')!.shape).toEqual([4, 4, 3, 5]);
  expect(conv1x1(ctx, x, 2, { name: 'one', use_bias: false }).shape).toEqual([2, 7, 7, 2]);
  expect(store.has('one/bias')).toBe(false);
  const up = deconv2d(ctx, tf.ones([2, 4, 4, 6]) as tf.Tensor4D, [2, 7, 7, 3], { k_h: 5, k_w: 5, d_h: 2, d_w: 2, name: 'dc' });
  expect(up.shape).toEqual([2, 7, 7, 3]);
  expect(store.all().get('dc/kernel')!.shape).toEqual([5, 5, 3, 6]);
  expect(() => deconv2d(ctx, tf.ones([2, 4, 4, 6]) as tf.Tensor4D, [2, 16, 16, 3], { k_h: 5, k_w: 5, d_h: 2, d_w: 2, name: 'bad' })).toThrow(/needs an input of 8x8/);
}));

test('lrelu is max(x, leak x)', () => {
  expect(Array.from(lrelu(tf.tensor1d([-2, 0, 3]), 0.1).dataSync()).map((v) => Math.round(v * 100) / 100)).toEqual([-0.2, 0, 3]);
});

test('unpool puts each value at the even position of a 2x2 block of zeros', () => {
  const x = tf.tensor4d([1, 2, 3, 4, 10, 20, 30, 40], [1, 2, 2, 2]);
  const u = unpool(x);
  expect(u.shape).toEqual([1, 4, 4, 2]);
  const a = u.arraySync()[0];
  expect(a[0][0]).toEqual([1, 2]);
  expect(a[0][2]).toEqual([3, 4]);
  expect(a[2][0]).toEqual([10, 20]);
  expect(a[2][2]).toEqual([30, 40]);
  expect(a[0][1]).toEqual([0, 0]);
  expect(a[1][0]).toEqual([0, 0]);
  expect(a[3][3]).toEqual([0, 0]);
});

test('non-local block: shape kept, identity at init (sigma = 0), attention once sigma moves', () => withStore((store) => {
  const ctx = opContext(store, true, new Rng(3));
  const x = tf.randomNormal([2, 4, 4, 16], 0, 1, 'float32', 1) as tf.Tensor4D;
  const out = non_local_block(ctx, x, 'attn', false);
  expect(out.shape).toEqual([2, 4, 4, 16]);
  expect(tf.max(tf.abs(tf.sub(out, x))).dataSync()[0]).toBe(0);
  expect(store.all().get('attn/conv2d_theta/kernel')!.shape).toEqual([1, 1, 16, 2]);
  expect(store.all().get('attn/conv2d_g/kernel')!.shape).toEqual([1, 1, 16, 8]);
  store.all().get('attn/sigma')!.assign(tf.scalar(1));
  expect(tf.max(tf.abs(tf.sub(non_local_block(ctx, x, 'attn', false), x))).dataSync()[0]).toBeGreaterThan(0);
  expect(non_local_block(ctx, tf.ones([1, 4, 4, 4]) as tf.Tensor4D, 'narrow', false).shape).toEqual([1, 4, 4, 4]);
  expect(store.all().get('narrow/conv2d_phi/kernel')!.shape).toEqual([1, 1, 4, 1]);
  expect(() => non_local_block(ctx, tf.ones([1, 1, 1, 8]) as tf.Tensor4D, 'tiny', false)).toThrow(/at least 2x2 positions/);
}));

test('projection: <embed(y), h> per example', () => withStore((store) => {
  bind('weights', 'stddev', 1);
  const ctx = opContext(store, true, new Rng(2));
  const h = tf.tensor2d([[1, 0, 2], [0, 1, 1]]);
  const y = oneHot([1, 0], 2);
  const p = projectY(ctx, h, y);
  const e = store.all().get('embedding_fc/kernel')!.arraySync() as number[][];
  expect(p.shape).toEqual([2, 1]);
  const d = p.dataSync();
  expect(d[0]).toBeCloseTo(e[1][0] * 1 + e[1][2] * 2, 5);
  expect(d[1]).toBeCloseTo(e[0][1] + e[0][2], 5);
  expect(store.has('embedding_fc/bias')).toBe(false);
}));
