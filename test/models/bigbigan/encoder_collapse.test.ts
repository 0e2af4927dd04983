/**
 * The defect of issue 13 row 4: BigBiGAN's encoder learned to ignore x. Its root: with the shipped
 * configs E(x) started as one point (its spread across images was ~1% of the N(0, 1) prior's
 * scale) buried in the stochastic encoder's noise (sigma ~0.69), so the pairs (x, E(x)) carried
 * almost nothing of x, the latent head s_z told E(x) from z by scale alone, and E's updates
 * (the same for every image) moved that point instead of spreading it by x.
 * These tests build the shipped configs' encoder on real images and measure how much of E(x)
 * comes from x.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { config, parseConfig } from '@cgan/config-lang';
import { BigBiGAN, createDataset, getOptions, Rng, VariableStore } from '@cgan/models';
import { disposeBatch, disposeGan } from './helpers';

jest.setTimeout(120000);

const ROOT = path.resolve(__dirname, '../../..');

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => config.clear());

/** Across-image spread of E(x) (mean over latent dims of the std over images) and the sampling noise. */
function spread(gan: BigBiGAN, x: tf.Tensor4D, isTraining: boolean): { xStd: number; noise: number; offset: number } {
  return tf.tidy(() => {
    const out = gan.encoder(x, isTraining);
    const m = tf.moments(out.mu, 0);
    return {
      xStd: tf.mean(tf.sqrt(m.variance)).dataSync()[0],
      noise: out.sigma ? tf.mean(out.sigma).dataSync()[0] : 0,
      offset: tf.sqrt(tf.mean(tf.square(m.mean))).dataSync()[0],
    };
  });
}

async function shippedGan(file: string, extra = '') {
  // run_config.* belongs to the runner (not loaded here).
  const text = fs.readFileSync(path.join(ROOT, 'gin-configs', file), 'utf8').split('\n').filter((l) => !l.startsWith('run_config.'));
  parseConfig(text.join('\n') + '\n' + extra);
  const ds = await createDataset({ seed: 1, overrides: { download: false } });
  const store = new VariableStore();
  const Gan = getOptions().gan_class as new (kw: object) => BigBiGAN;
  const gan = new Gan({ datasetInfo: ds.info, store, rng: new Rng(3) });
  gan.build();
  return { gan, store, ds };
}

for (const file of ['bigbigan_fashion_mnist.gin', 'bigbigan_shapes.gin']) {
  test(`${file}: at initialisation E(x) varies with x on the prior's scale, not buried in noise`, async () => {
    const { gan, store, ds } = await shippedGan(file, file.includes('shapes') ? 'dataset.num_train_examples = 64\ndataset.num_test_examples = 64\n' : '');
    try {
      const it = ds.batches('test', { batchSize: 64, repeat: false });
      const b = (await it.next()).value;
      await it.return?.(undefined);
      const s = spread(gan, b.images, true); // what the discriminator is shown during training
      disposeBatch(b);
      // Before the fix: xStd 0.012 and noise 0.69 (Fashion-MNIST).
      expect(s.xStd).toBeGreaterThan(0.5);
      expect(s.xStd).toBeLessThan(2);
      expect(s.noise).toBeLessThan(s.xStd / 2);
    } finally {
      disposeGan(gan, store);
    }
  });
}

test('shapes, 30 training steps of the shipped config (narrowed): encode(x) still varies with x at inference', async () => {
  const { gan, store, ds } = await shippedGan(
    'bigbigan_shapes.gin',
    `dataset.resolution = 16
dataset.num_train_examples = 256
dataset.num_test_examples = 64
options.architecture = "dcgan_arch"
options.z_dim = 8
dcgan.Generator.gf_dim = 4
dcgan.Discriminator.df_dim = 4
encoder.ch = 4
encoder.mlp_units = 16
BigBiGAN.mlp_units = 16
`,
  );
  try {
    const it = ds.batches('train', { batchSize: 16, seed: 2, repeat: true });
    for (let step = 0; step < 30; step++) {
      const b = (await it.next()).value;
      const r = gan.trainStep([b], step);
      disposeBatch(b);
      expect(Number.isFinite(r.g_loss) && Number.isFinite(r.d_loss)).toBe(true);
    }
    await it.return?.(undefined);
    const tit = ds.batches('test', { batchSize: 64, repeat: false });
    const tb = (await tit.next()).value;
    await tit.return?.(undefined);
    const s = spread(gan, tb.images, false); // encode(x): moving averages
    disposeBatch(tb);
    // E(x) spread by x comparable to the prior's N(0, 1), not one point pushed around.
    expect(s.xStd).toBeGreaterThan(0.3);
    expect(s.offset).toBeLessThan(2 * s.xStd);
  } finally {
    disposeGan(gan, store);
  }
});
