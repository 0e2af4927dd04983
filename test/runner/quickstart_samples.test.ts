/**
 * Regression test for the quick start (gin-configs/quickstart_shapes.gin) producing 64 identical
 * sample images. Two causes, both reproduced step for step by an equivalent PyTorch DCGAN:
 * - sample grids run G in inference mode, on batch-norm moving averages that start at mean 0,
 *   variance 1 and, at compare_gan's decay 0.999, are still mostly those initial values after a
 *   few hundred steps, while G's pre-normalisation activations have variances around 1e-3: every
 *   layer then shrinks the z-dependent part, and all samples come out the same grey;
 * - without batch norm in D this narrow DCGAN collapses in training mode too (near-black, identical images).
 * The test trains the shipped config for a few dozen steps and checks that the sampling generator
 * (inference mode) is as diverse across z as the training-mode generator, and that both are far
 * from one image.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { config } from '@cgan/config-lang';
import type { GanVariant } from '@cgan/models';
import { buildRun, disposeRun } from '../../packages/runner/src/wiring/container';

jest.setTimeout(240000);
afterAll(() => config.clear());

const STEPS = 60;

/** Mean over pixels of the variance across the batch (across z). */
function diversity(images: tf.Tensor4D): number {
  return tf.tidy(() => tf.mean(tf.moments(images, 0).variance).dataSync()[0]);
}

test(`quick start: after ${STEPS} steps the sample images differ across z, in inference mode as in training mode`, async () => {
  const gin = path.join(__dirname, '../../gin-configs/quickstart_shapes.gin');
  const built = await buildRun(
    { ginConfigs: [gin], ginBindings: ['runtime.seed = 7', 'dataset.num_train_examples = 1024'], dataDir: null, fakeDataFallback: false },
    { info: () => undefined, warn: () => undefined },
  );
  try {
    const gan = built.gan as GanVariant & { generator(z: tf.Tensor2D, y: tf.Tensor2D | null, isTraining: boolean): tf.Tensor4D };
    gan.build();
    const it = built.dataset.batches('train', { batchSize: built.options.batch_size, seed: 3, repeat: true, dropRemainder: true });
    for (let step = 1; step <= STEPS; step++) {
      const batch = (await it.next()).value;
      try {
        gan.trainStep([batch], step);
      } finally {
        tf.dispose([batch.images, batch.labels, batch.labelled]);
      }
    }
    const z = gan.sampleZ(64);
    const inference = diversity(gan.sample(z, null));
    const training = diversity(tf.tidy(() => gan.generator(z, null, true)));
    z.dispose();
    // The real images' diversity is ~0.04; the collapsed quick start gave ~1e-8 (inference) and
    // ~5e-6 (training) at this step; the fixed one ~1e-2 for both.
    expect(training).toBeGreaterThan(2e-3);
    expect(inference).toBeGreaterThan(2e-3);
    expect(inference / training).toBeGreaterThan(0.3);
    expect(inference / training).toBeLessThan(3);
  } finally {
    disposeRun(built);
  }
});
