/**
 * Spectral normalization: after enough (persistent) power iterations the largest singular value
 * of the normalised weight is 1. The true singular values come from ml-matrix's SVD.
 */
import * as tf from '@tensorflow/tfjs-core';
import { config } from '@cgan/config-lang';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { opContext, spectral_norm } from '../../../packages/models/src/ops';
import { VariableStore } from '../../../packages/models/src/core/variables';
import { Rng } from '../../../packages/models/src/core/rng';
import { bind, useCpu } from '../architectures/helpers';

beforeAll(useCpu);
afterEach(() => config.clear());

/** Largest singular value of the tensor reshaped to [prod(shape[:-1]), shape[-1]]. */
function sigmaMax(t: tf.Tensor): number {
  const cols = t.shape[t.rank - 1];
  const rows = t.size / cols;
  const d = t.dataSync();
  const m = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, d[i * cols + j]);
  return Math.max(...new SingularValueDecomposition(m, { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true }).diagonal);
}

const shapes: number[][] = [[10, 6], [6, 10], [3, 3, 4, 8], [5, 5, 2, 3], [64, 1]];

describe.each(['left', 'right', 'auto'])('singular_value = %s', (side) => {
  test.each(shapes)('random %j weights: sigma_max of the normalised weight -> 1', (...shape) => {
    bind('spectral_norm', 'singular_value', side);
    const store = new VariableStore();
    const ctx = opContext(store, true, new Rng(3));
    try {
      const w = store.get('kernel', shape, (s) => tf.randomNormal(s, 0, 2, 'float32', 17));
      const trueSigma = sigmaMax(w);
      expect(trueSigma).toBeGreaterThan(1.5); // the test is not trivial
      let normalized: tf.Tensor = w;
      for (let i = 0; i < 60; i++) {
        tf.dispose(normalized === w ? [] : normalized);
        normalized = spectral_norm({ ctx, inputs: w, name: 'kernel' }) as tf.Tensor;
      }
      expect(normalized.shape).toEqual(shape);
      expect(sigmaMax(normalized)).toBeCloseTo(1, 2);
      // The normalised weight is W / sigma(W).
      const expected = tf.div(w, trueSigma);
      expect(tf.max(tf.abs(tf.sub(normalized, expected))).dataSync()[0]).toBeLessThan(1e-2 * tf.max(tf.abs(expected)).dataSync()[0]);
      const u = store.all().get('kernel/u_var')!;
      const cols = shape[shape.length - 1];
      const rows = w.size / cols;
      const left = side === 'left' || (side === 'auto' && rows <= cols);
      expect(u.shape).toEqual(left ? [rows, 1] : [1, cols]);
      expect(u.trainable).toBe(false);
    } finally {
      store.dispose();
    }
  });
});

test('the power-iteration vector is updated in training only', () => {
  const store = new VariableStore();
  try {
    const w = store.get('kernel', [8, 5], (s) => tf.randomNormal(s, 0, 1, 'float32', 5));
    spectral_norm({ ctx: opContext(store, false, new Rng(1)), inputs: w, name: 'kernel' });
    const u = store.all().get('kernel/u_var')!;
    const before = Array.from(u.dataSync());
    spectral_norm({ ctx: opContext(store, false, new Rng(1)), inputs: w, name: 'kernel' });
    expect(Array.from(u.dataSync())).toEqual(before);
    spectral_norm({ ctx: opContext(store, true, new Rng(1)), inputs: w, name: 'kernel' });
    expect(Array.from(u.dataSync())).not.toEqual(before);
    // A unit vector after an update.
    expect(Math.sqrt(Array.from(u.dataSync()).reduce((a, b) => a + b * b, 0))).toBeCloseTo(1, 5);
  } finally {
    store.dispose();
  }
});

test('gradients flow into the weight only (not through u and v), and are finite', () => {
  const store = new VariableStore();
  try {
    const w = store.get('kernel', [6, 4], (s) => tf.randomNormal(s, 0, 1, 'float32', 9));
    const ctx = opContext(store, true, new Rng(1));
    for (let i = 0; i < 30; i++) spectral_norm({ ctx, inputs: w, name: 'kernel' });
    const x = tf.randomNormal([3, 6], 0, 1, 'float32', 10);
    const { grads } = tf.variableGrads(() => tf.sum(tf.matMul(x, spectral_norm({ ctx, inputs: w, name: 'kernel' }) as tf.Tensor2D)) as tf.Scalar, [w]);
    const g = grads[w.name];
    expect(g.shape).toEqual([6, 4]);
    expect(g.dataSync().every(Number.isFinite)).toBe(true);
    // Finite differences of f(W) = sum(x W / sigma) with u, v held fixed (sigma = u^T W v).
    const u = store.all().get('kernel/u_var')!;
    const f = (wt: tf.Tensor) => tf.tidy(() => {
      const v = tf.div(tf.matMul(wt as tf.Tensor2D, u, true, false), tf.norm(tf.matMul(wt as tf.Tensor2D, u, true, false)));
      const sigma = tf.matMul(tf.matMul(u, wt as tf.Tensor2D, true, false), v);
      return tf.sum(tf.matMul(x as tf.Tensor2D, tf.div(wt, sigma) as tf.Tensor2D)).dataSync()[0];
    });
    // u is updated by the call above; with converged u the analytic gradient of sum(xW)/sigma is:
    const analytic = tf.tidy(() => {
      const vv = tf.div(tf.matMul(w, u, true, false), tf.norm(tf.matMul(w, u, true, false)));
      const sigma = tf.matMul(tf.matMul(u, w, true, false), vv).dataSync()[0];
      const s = tf.sum(tf.matMul(x as tf.Tensor2D, w)).dataSync()[0];
      // d/dW [sum(xW) / (u^T W v)] = (x^T 1) / sigma - s * u v^T / sigma^2
      return tf.sub(tf.div(tf.matMul(x as tf.Tensor2D, tf.ones([3, 4]), true, false), sigma), tf.mul(tf.matMul(u, vv, false, true), s / sigma ** 2));
    });
    expect(tf.max(tf.abs(tf.sub(g, analytic))).dataSync()[0]).toBeLessThan(1e-3);
    expect(f(w)).toBeCloseTo(tf.sum(tf.matMul(x as tf.Tensor2D, spectral_norm({ ctx: opContext(store, false), inputs: w, name: 'kernel' }) as tf.Tensor2D)).dataSync()[0], 3);
  } finally {
    store.dispose();
  }
});

test('bad inputs explain themselves', () => {
  const store = new VariableStore();
  try {
    expect(() => spectral_norm({ ctx: opContext(store, true), inputs: tf.ones([4]), name: 'b' })).toThrow(/multi-dimensional/);
    expect(() => bind('spectral_norm', 'singular_value', 'power_iteration')).toThrow(/singular_value/);
  } finally {
    store.dispose();
  }
});
