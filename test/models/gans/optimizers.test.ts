import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { config, ConfigError, getConfigurable, parseConfig } from '@cgan/config-lang';
import { applyGradientsInOrder, OptimizerFn, optimizerWeights, setOptimizerWeights } from '@cgan/models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => config.clear());

const opt = (name: string, kw: object = {}) => (getConfigurable(name) as OptimizerFn)(kw);

test('tf.train optimizers: TensorFlow names and defaults, mapped onto tfjs', () => {
  parseConfig(`
tf.train.AdamOptimizer.beta1 = 0.0
tf.train.AdamOptimizer.beta2 = 0.99
tf.train.RMSPropOptimizer.decay = 0.8
tf.train.MomentumOptimizer.momentum = 0.7
tf.train.MomentumOptimizer.use_nesterov = True
`);
  expect((opt('tf.train.AdamOptimizer', { learning_rate: 0.1 }) as tf.AdamOptimizer).getConfig()).toEqual({ learningRate: 0.1, beta1: 0, beta2: 0.99, epsilon: 1e-8 });
  expect((opt('tf.train.RMSPropOptimizer', { learning_rate: 0.1 }) as tf.RMSPropOptimizer).getConfig()).toMatchObject({ learningRate: 0.1, decay: 0.8, momentum: 0, epsilon: 1e-10, centered: false });
  expect((opt('tf.train.MomentumOptimizer', { learning_rate: 0.1 }) as tf.MomentumOptimizer).getConfig()).toMatchObject({ learningRate: 0.1, momentum: 0.7, useNesterov: true });
  expect(opt('tf.train.GradientDescentOptimizer', { learning_rate: 0.1 })).toBeInstanceOf(tf.SGDOptimizer);
  expect(() => opt('tf.train.GradientDescentOptimizer')).toThrow(ConfigError);
  expect(() => opt('tf.train.AdamOptimizer', { learning_rate: -1 })).toThrow(/learning_rate must be a positive number/);
});

test('applyGradientsInOrder keeps slots aligned when a variable has no gradient', () => {
  const a = tf.variable(tf.zeros([3]), true, 'opt_test/a');
  const b = tf.variable(tf.zeros([2, 2]), true, 'opt_test/b');
  const adam = opt('tf.train.AdamOptimizer', { learning_rate: 0.1 }) as tf.Optimizer;
  applyGradientsInOrder(adam, [a, b], { [a.name]: tf.ones([3]), [b.name]: tf.ones([2, 2]) });
  // Only b has a gradient now; a keeps its slot (zero gradient) instead of b taking it.
  expect(() => applyGradientsInOrder(adam, [a, b], { [b.name]: tf.ones([2, 2]) })).not.toThrow();
  expect(Array.from(b.dataSync()).every((x) => x < -0.15)).toBe(true);
  const before = Array.from(b.dataSync());
  applyGradientsInOrder(adam, [a, b], { [b.name]: tf.ones([2, 2]) }, false);
  expect(Array.from(b.dataSync())).toEqual(before);
  tf.dispose([a, b]);
  adam.dispose();
});

test('optimizer weights round-trip through named tensors', async () => {
  const v = tf.variable(tf.tensor1d([1, 2]), true, 'opt_test/v');
  const rms = opt('tf.train.RMSPropOptimizer', { learning_rate: 0.01 }) as tf.Optimizer;
  applyGradientsInOrder(rms, [v], { [v.name]: tf.tensor1d([0.5, -0.5]) });
  const saved = await optimizerWeights(rms, 'x/');
  const copy = new Map([...saved].map(([k, t]) => [k, Array.from(t.dataSync())]));
  applyGradientsInOrder(rms, [v], { [v.name]: tf.tensor1d([3, 3]) });
  await setOptimizerWeights(rms, 'x/', saved);
  for (const [k, t] of await optimizerWeights(rms, 'x/')) expect(Array.from(t.dataSync())).toEqual(copy.get(k));
  await expect(setOptimizerWeights(rms, 'x/', new Map([['x/bad', tf.scalar(1)]]))).rejects.toThrow(/not of the form/);
  v.dispose();
});
