import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { config, getConfigurable } from '@cgan/config-lang';
import {
  clipWeights,
  DiscriminatorOutput,
  dragan_penalty,
  get_penalty_loss,
  l2_penalty,
  no_penalty,
  Rng,
  VariableStore,
  weight_clipping,
  wgangp_penalty,
} from '@cgan/models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => config.clear());

const scalar = (t: tf.Tensor) => t.dataSync()[0];

/** D(x) = sum(w * x): its input gradient is w everywhere, so the slope is |w| at every point. */
function linearD(w: tf.Tensor): (x: tf.Tensor4D) => DiscriminatorOutput {
  return (x) => {
    const logits = tf.reshape(tf.sum(tf.mul(x, w), [1, 2, 3]), [x.shape[0], 1]) as tf.Tensor2D;
    return { logits, probs: tf.sigmoid(logits) as tf.Tensor2D, features: logits };
  };
}

test('no_penalty is 0', () => {
  expect(scalar(no_penalty({} as never))).toBe(0);
});

test('wgangp and dragan penalties of a linear D, hand-computed', () => {
  // w = 1 on a 2x2x1 image: |w|^2 = 4, slope = sqrt(1e-4 + 4), penalty = (slope - 1)^2 for any point.
  const d = linearD(tf.ones([1, 2, 2, 1]));
  const x = tf.randomUniform([3, 2, 2, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  const xFake = tf.randomUniform([3, 2, 2, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
  const expected = (Math.sqrt(1e-4 + 4) - 1) ** 2;
  expect(scalar(wgangp_penalty({ x, x_fake: xFake, discriminator: d, rng: new Rng(3) } as never))).toBeCloseTo(expected, 4);
  expect(scalar(dragan_penalty({ x, discriminator: d, rng: new Rng(3) } as never))).toBeCloseTo(expected, 4);
  // w = 0.5: |w|^2 = 1, slope ~ 1, penalty ~ 0
  const d2 = linearD(tf.fill([1, 2, 2, 1], 0.5));
  expect(scalar(wgangp_penalty({ x, x_fake: xFake, discriminator: d2 } as never))).toBeCloseTo((Math.sqrt(1.0001) - 1) ** 2, 6);
});

test('wgangp_penalty names what is missing', () => {
  expect(() => wgangp_penalty({ x: tf.zeros([1, 2, 2, 1]) } as never)).toThrow(/wgangp_penalty needs 'x_fake'/);
});

test('WGAN-GP gradient with respect to D parameters matches finite differences (second order)', () => {
  const store = new VariableStore();
  const w1 = store.get('discriminator/conv/kernel', [3, 3, 1, 2], (s) => tf.randomNormal(s, 0, 0.5, 'float32', 11));
  const w2 = store.get('discriminator/fc/kernel', [2 * 2 * 2, 1], (s) => tf.randomNormal(s, 0, 0.5, 'float32', 12));
  // A smooth D (tanh) so that central differences are accurate.
  const d = (x: tf.Tensor4D): DiscriminatorOutput => {
    const h = tf.tanh(tf.conv2d(x, w1 as tf.Tensor4D, 2, 'same'));
    const logits = tf.matMul(tf.reshape(h, [x.shape[0], -1]), w2) as tf.Tensor2D;
    return { logits, probs: tf.sigmoid(logits) as tf.Tensor2D, features: logits };
  };
  const x = tf.randomUniform([2, 4, 4, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
  const xFake = tf.randomUniform([2, 4, 4, 1], 0, 1, 'float32', 6) as tf.Tensor4D;
  // Same Rng state on every evaluation: the interpolation points are identical.
  const penalty = () => wgangp_penalty({ x, x_fake: xFake, discriminator: d, rng: new Rng(99) } as never);
  const { value, grads } = tf.variableGrads(penalty, [w1, w2]);
  expect(scalar(value)).toBeGreaterThan(0);
  const eps = 1e-2;
  let checked = 0;
  for (const v of [w1, w2]) {
    const analytic = grads[v.name].dataSync();
    const base = v.dataSync().slice();
    for (const i of [0, 3, 7]) {
      const at = (delta: number) => {
        const p = base.slice();
        p[i] += delta;
        v.assign(tf.tensor(p, v.shape));
        return scalar(penalty());
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      v.assign(tf.tensor(base, v.shape));
      expect(Math.abs(numeric - analytic[i])).toBeLessThan(2e-2 * Math.max(1, Math.abs(numeric)));
      checked++;
    }
    // The gradient is not trivially zero.
    expect(Math.max(...Array.from(analytic).map(Math.abs))).toBeGreaterThan(1e-3);
  }
  expect(checked).toBe(6);
  store.dispose();
});

test('second-order gradients go through leaky ReLU (comparison ops get zero gradients)', () => {
  const store = new VariableStore();
  const w = store.get('discriminator/k', [3, 3, 1, 2], (s) => tf.randomNormal(s, 0, 1, 'float32', 3));
  const v = store.get('discriminator/v', [2 * 2 * 2, 1], (s) => tf.randomNormal(s, 0, 1, 'float32', 4));
  const d = (x: tf.Tensor4D): DiscriminatorOutput => {
    const h = tf.leakyRelu(tf.conv2d(x, w as tf.Tensor4D, 2, 'same'), 0.2);
    const logits = tf.matMul(tf.reshape(h, [x.shape[0], -1]), v) as tf.Tensor2D;
    return { logits, probs: tf.sigmoid(logits) as tf.Tensor2D, features: logits };
  };
  const x = tf.randomUniform([2, 4, 4, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
  const { grads } = tf.variableGrads(() => dragan_penalty({ x, discriminator: d, rng: new Rng(1) } as never), [w, v]);
  for (const g of Object.values(grads)) expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
  expect(Math.max(...Array.from(grads[w.name].dataSync()).map(Math.abs))).toBeGreaterThan(0);
  store.dispose();
});

test('l2_penalty: mean of l2_loss over D kernels, biases and G excluded', () => {
  const store = new VariableStore();
  store.get('discriminator/a/kernel', [2, 2], () => tf.tensor2d([[1, 2], [3, 4]])); // l2_loss = 30 / 2 = 15
  store.get('discriminator/b/kernel', [1], () => tf.tensor1d([2])); // l2_loss = 2
  store.get('discriminator/a/bias', [2], () => tf.tensor1d([100, 100]));
  store.get('generator/a/kernel', [1], () => tf.tensor1d([100]));
  expect(scalar(l2_penalty({ store } as never))).toBeCloseTo(8.5, 5);
  config.bind([], 'penalty', 'fn', getConfigurable('penalty_lib.l2_penalty') as never);
  expect(scalar(get_penalty_loss({ store } as never))).toBeCloseTo(8.5, 5);
  store.dispose();
  expect(() => l2_penalty({ store: new VariableStore() } as never)).toThrow(/no variables named/);
});

test('weight_clipping.limit: off by default, clips to [-limit, limit] when set', () => {
  expect(weight_clipping({} as never)).toBeNull();
  config.bind([], 'weight_clipping', 'limit', 0.01);
  expect(weight_clipping({} as never)).toBe(0.01);
  const store = new VariableStore();
  const v = store.get('discriminator/k', [4], () => tf.tensor1d([-1, -0.005, 0.002, 3]));
  clipWeights([v], 0.01);
  expect(Array.from(v.dataSync())).toEqual([-0.01, -0.005, 0.002, 0.01].map((x) => Math.fround(x)));
  store.dispose();
  config.bind([], 'weight_clipping', 'limit', -1);
  expect(() => weight_clipping({} as never)).toThrow(/positive number or None/);
});
