/**
 * The variants on the wasm backend (the runtime's training kernels): every step finite, and the
 * second-order WGAN-GP gradient equal to the cpu backend's on the same inputs.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { config } from '@cgan/config-lang';
import { DiscriminatorOutput, Rng, useBackend, VariableStore, wgangp_penalty } from '@cgan/models';
import { allFinite, buildGan, disposeGan, randomBatch } from './helpers';

afterEach(() => config.clear());
afterAll(async () => {
  await tf.setBackend('cpu');
});

function penaltyGrads(): number[][] {
  const store = new VariableStore();
  const w1 = store.get('discriminator/conv/kernel', [3, 3, 1, 2], () => tf.tensor4d(Array.from({ length: 18 }, (_, i) => Math.sin(i + 1) * 0.5), [3, 3, 1, 2]));
  const w2 = store.get('discriminator/fc/kernel', [8, 1], () => tf.tensor2d(Array.from({ length: 8 }, (_, i) => Math.cos(i) * 0.5), [8, 1]));
  const d = (x: tf.Tensor4D): DiscriminatorOutput => {
    const h = tf.leakyRelu(tf.conv2d(x, w1 as tf.Tensor4D, 2, 'same'), 0.2);
    const logits = tf.matMul(tf.reshape(h, [x.shape[0], -1]), w2) as tf.Tensor2D;
    return { logits, probs: tf.sigmoid(logits) as tf.Tensor2D, features: logits };
  };
  const x = tf.tensor4d(Array.from({ length: 32 }, (_, i) => (i % 7) / 7), [2, 4, 4, 1]);
  const xFake = tf.tensor4d(Array.from({ length: 32 }, (_, i) => (i % 5) / 5), [2, 4, 4, 1]);
  const { grads } = tf.variableGrads(() => wgangp_penalty({ x, x_fake: xFake, discriminator: d, rng: new Rng(4) } as never), [w1, w2]);
  const out = [Array.from(grads[w1.name].dataSync()), Array.from(grads[w2.name].dataSync())];
  store.dispose();
  return out;
}

test('WGAN-GP second-order gradients agree between the cpu and wasm backends', async () => {
  await tf.setBackend('cpu');
  const cpu = penaltyGrads();
  const sel = await useBackend('wasm');
  expect(sel.tfjsBackend).toBe('wasm');
  const wasm = penaltyGrads();
  cpu.forEach((g, j) => g.forEach((v, i) => expect(wasm[j][i]).toBeCloseTo(v, 4)));
  expect(Math.max(...cpu[0].map(Math.abs))).toBeGreaterThan(1e-3);
});

test('every variant trains a step on wasm with finite losses', async () => {
  await useBackend('wasm');
  for (const gin of [
    'options.gan_class = @ModularGAN\npenalty.fn = @wgangp_penalty\noptions.disc_iters = 2\nModularGAN.g_use_ema = True',
    'options.gan_class = @SSGAN\nSSGAN.rotated_batch_size = 4\npenalty.fn = @dragan_penalty',
    'options.gan_class = @S3GAN\nModularGAN.conditional = True\nS3GAN.rotated_batch_fraction = 2\nS3GAN.project_y = True\nS3GAN.use_predictor = True',
    'options.gan_class = @S2GAN\nModularGAN.conditional = True\nS2GAN.pretrain_steps = 1',
  ]) {
    config.clear();
    const { gan, store } = buildGan(gin);
    const batches = Array.from({ length: gan.discIters }, (_, i) => randomBatch(8, i + 1, [0]));
    for (const step of [0, 1]) expect(allFinite(gan.trainStep(batches, step))).toBe(true);
    expect(gan.sample(gan.sampleZ(2), null).shape).toEqual([2, 8, 8, 1]);
    disposeGan(gan, store);
  }
});
