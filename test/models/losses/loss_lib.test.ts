import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { config, getConfigurable } from '@cgan/config-lang';
import { get_losses, GanLosses, hinge, least_squares, non_saturating, wasserstein } from '@cgan/models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => config.clear());

// Fixed inputs: logits real [1, -2], fake [0.5, 3]; probabilities real [0.8, 0.3], fake [0.6, 0.1].
const inputs = () => ({
  d_real_logits: tf.tensor2d([[1], [-2]]),
  d_fake_logits: tf.tensor2d([[0.5], [3]]),
  d_real: tf.tensor2d([[0.8], [0.3]]),
  d_fake: tf.tensor2d([[0.6], [0.1]]),
});

function values(l: GanLosses): number[] {
  return [l.d_loss, l.d_loss_real, l.d_loss_fake, l.g_loss].map((s) => s.dataSync()[0]);
}

function expectClose(actual: number[], expected: number[]) {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i], 5));
}

test('non_saturating: sigmoid cross-entropy, hand-computed', () => {
  // d_real = mean(log(1+e^-1), log(1+e^2)); d_fake = mean(log(1+e^0.5), log(1+e^3)); g = mean(log(1+e^-0.5), log(1+e^-3))
  expectClose(values(non_saturating(inputs() as never)), [3.231427017157522, 1.2200948492805979, 2.0113321678769243, 0.26133216787692437]);
});

test('non_saturating with one-sided label smoothing changes only the real targets', () => {
  config.bind([], 'non_saturating', 'label_smoothing', 0.1);
  // real targets 0.9: max(x,0) - 0.9x + log(1+e^-|x|) averaged over x in {1, -2}
  expectClose(values(non_saturating(inputs() as never)), [3.181427017157522, 1.1700948492805976, 2.0113321678769243, 0.26133216787692437]);
  config.bind([], 'non_saturating', 'label_smoothing', 1.5);
  expect(() => non_saturating(inputs() as never)).toThrow(/label_smoothing must be in \[0, 1\)/);
});

test('wasserstein, hinge and least_squares, hand-computed', () => {
  // wasserstein: d_real = -mean(1, -2) = 0.5, d_fake = mean(0.5, 3) = 1.75, g = -1.75
  expectClose(values(wasserstein(inputs() as never)), [2.25, 0.5, 1.75, -1.75]);
  // hinge: mean(relu(1 - [1, -2])) = 1.5, mean(relu(1 + [0.5, 3])) = 2.75, g = -1.75
  expectClose(values(hinge(inputs() as never)), [4.25, 1.5, 2.75, -1.75]);
  // least squares on probabilities: mean((p-1)^2) = (0.04+0.49)/2, mean(p^2) = (0.36+0.01)/2,
  // d = 0.5 (0.265 + 0.185), g = 0.5 mean((0.6-1)^2, (0.1-1)^2)
  expectClose(values(least_squares(inputs() as never)), [0.225, 0.265, 0.185, 0.2425]);
});

test('loss.fn selects the loss through a binding (default non_saturating)', () => {
  expectClose(values(get_losses(inputs() as never)).slice(0, 1), [3.231427017157522]);
  config.bind([], 'loss', 'fn', getConfigurable('loss_lib.hinge') as never);
  expectClose(values(get_losses(inputs() as never)), [4.25, 1.5, 2.75, -1.75]);
});

test('shape and rank errors name the tensors', () => {
  expect(() => hinge({ d_real_logits: tf.tensor2d([[1], [2]]), d_fake_logits: tf.tensor2d([[1]]) } as never)).toThrow(/Shape mismatch between d_real_logits and d_fake_logits/);
  expect(() => wasserstein({ d_real_logits: tf.tensor1d([1]), d_fake_logits: tf.tensor1d([1]) } as never)).toThrow(/Rank: expected 2/);
  expect(() => least_squares({ d_real_logits: tf.tensor2d([[1]]), d_fake_logits: tf.tensor2d([[1]]) } as never)).toThrow(/least_squares needs 'd_real'/);
});
