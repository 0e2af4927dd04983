/** compare_gan's weight initializers (`weights.initializer`, `weights.stddev`): statistics and seeds. */
import * as tf from '@tensorflow/tfjs-core';
import { config } from '@cgan/config-lang';
import { Matrix } from 'ml-matrix';
import { fans, glorotInit, initializerByName, kernelVariable, normalInit, opContext, orthogonalInit, truncatedInit, weight_initializer, WeightInit } from '../../../packages/models/src/ops';
import { VariableStore } from '../../../packages/models/src/core/variables';
import { Rng } from '../../../packages/models/src/core/rng';
import { bind, useCpu } from '../architectures/helpers';

beforeAll(useCpu);
afterEach(() => config.clear());

function stats(t: tf.Tensor): { mean: number; std: number; maxAbs: number } {
  const v = Array.from(t.dataSync());
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std, maxAbs: v.reduce((a, b) => Math.max(a, Math.abs(b)), 0) };
}

test('normal: mean 0, standard deviation stddev', () => {
  const s = stats(normalInit(0.02)([200, 100], 1));
  expect(Math.abs(s.mean)).toBeLessThan(0.001);
  expect(s.std).toBeCloseTo(0.02, 3);
  expect(s.maxAbs).toBeGreaterThan(0.05); // a real normal has tails beyond 2.5 sigma in 20k draws
});

test('truncated: nothing beyond 2 stddev, standard deviation 0.88 stddev', () => {
  const s = stats(truncatedInit(0.02)([200, 100], 2));
  expect(s.maxAbs).toBeLessThanOrEqual(0.04 + 1e-7);
  expect(s.std / 0.02).toBeCloseTo(0.8796, 1);
});

test('glorot: truncated normal with variance 2 / (fan_in + fan_out)', () => {
  expect(fans([3, 3, 16, 32])).toEqual({ fanIn: 144, fanOut: 288 });
  expect(fans([10, 20])).toEqual({ fanIn: 10, fanOut: 20 });
  const s = stats(glorotInit()([300, 100], 3));
  expect(s.std).toBeCloseTo(Math.sqrt(2 / 400), 2);
  expect(s.maxAbs).toBeLessThanOrEqual((2 * Math.sqrt(2 / 400)) / 0.8796 + 1e-6);
});

test.each([
  [[64, 16]],
  [[16, 64]],
  [[3, 3, 4, 8]],
  [[2, 2, 8, 40]],
])('orthogonal %j: the flattened kernel has orthonormal columns (or rows when wide)', (shape) => {
  const w = orthogonalInit()(shape, 4);
  expect(w.shape).toEqual(shape);
  const cols = shape[shape.length - 1];
  const rows = w.size / cols;
  const m = new Matrix(rows, cols);
  const d = w.dataSync();
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, d[i * cols + j]);
  const gram = rows >= cols ? m.transpose().mmul(m) : m.mmul(m.transpose());
  const n = Math.min(rows, cols);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(gram.get(i, j)).toBeCloseTo(i === j ? 1 : 0, 4);
});

test('the same seed gives the same values, another seed other values', () => {
  for (const name of ['normal', 'truncated', 'orthogonal', 'glorot']) {
    const init = initializerByName(name, 0.02);
    const a = init([8, 6], 11).dataSync();
    const b = init([8, 6], 11).dataSync();
    const c = init([8, 6], 12).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  }
  expect(() => initializerByName('uniform', 0.02)).toThrow(/Unknown weight initializer "uniform".*"normal", "truncated", "orthogonal", "glorot"/);
});

test('weights.initializer and weights.stddev select what layers use', () => {
  const store = new VariableStore();
  const ctx = opContext(store, true, new Rng(5));
  try {
    bind('weights', 'initializer', 'orthogonal');
    const k = kernelVariable(ctx, 'ortho', [20, 10]);
    const m = new Matrix(20, 10);
    const d = k.dataSync();
    for (let i = 0; i < 20; i++) for (let j = 0; j < 10; j++) m.set(i, j, d[i * 10 + j]);
    expect(m.transpose().mmul(m).get(3, 3)).toBeCloseTo(1, 4);
    config.clear();
    bind('weights', 'stddev', 0.5);
    expect(stats(kernelVariable(ctx, 'wide', [100, 100])).std).toBeCloseTo(0.5, 1);
    expect(() => bind('weights', 'initializer', 'uniform')).toThrow(/weights/);
    expect(typeof (weight_initializer({}) as WeightInit)).toBe('function');
  } finally {
    store.dispose();
  }
});

test('variable seeds depend on the Rng seed and the variable name, not on creation order', () => {
  const values = (seed: number, order: string[]) => {
    const store = new VariableStore();
    const ctx = opContext(store, true, new Rng(seed));
    const out: Record<string, number[]> = {};
    for (const n of order) out[n] = Array.from(kernelVariable(ctx, n, [4, 3]).dataSync());
    store.dispose();
    return out;
  };
  const a = values(1, ['x', 'y']);
  const b = values(1, ['y', 'x']);
  const c = values(2, ['x', 'y']);
  expect(a).toEqual(b);
  expect(a.x).not.toEqual(a.y);
  expect(a.x).not.toEqual(c.x);
});
