/**
 * G's step on the fakes alone (ModularGAN.generatorSkipsReal): where the rule holds (no batch norm
 * in D, a loss whose g_loss reads only the fakes) G's loss, its gradients and every variable
 * afterwards (spectral norm's u included) equal, bit for bit, those of compare_gan's real + fake
 * call; with batch norm in D, with deprecated_split_disc_calls or with a loss not known to read
 * only the fakes the full call stays.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { config, configurable, parseConfig } from '@cgan/config-lang';
import { Batch, DatasetInfo, getOptions, ModularGAN, Rng, VariableStore } from '@cgan/models';

const info: DatasetInfo = { name: 'tiny8', imageShape: [8, 8, 1], numClasses: 3, numExamples: { train: 64, test: 16 } };

const BASE = `
options.architecture = "dcgan_arch"
options.batch_size = 4
options.training_steps = 10
options.z_dim = 6
dcgan.Generator.gf_dim = 4
dcgan.Discriminator.df_dim = 4
G.batch_norm_fn = @batch_norm
D.spectral_norm = True
`;

// A loss this port does not know: its g_loss might read d_real, so G keeps the full call.
configurable('test_loss_reading_real', { module: 'test', params: {} }, (kw: { d_real_logits: tf.Tensor; d_fake_logits: tf.Tensor }) => {
  const g_loss = tf.mean(tf.sub(kw.d_real_logits, kw.d_fake_logits)) as tf.Scalar;
  return { d_loss: tf.neg(g_loss) as tf.Scalar, d_loss_real: g_loss, d_loss_fake: g_loss, g_loss };
});

const VARIANTS: Record<string, string> = {
  'ModularGAN, hinge': 'options.gan_class = @ModularGAN\nloss.fn = @hinge',
  'ModularGAN, conditional, wasserstein': 'options.gan_class = @ModularGAN\nModularGAN.conditional = True\nloss.fn = @wasserstein',
  'ModularGAN, least_squares': 'options.gan_class = @ModularGAN\nloss.fn = @least_squares',
  'SSGAN, non_saturating': 'options.gan_class = @SSGAN\nSSGAN.rotated_batch_size = 8\nloss.fn = @non_saturating',
  'S3GAN, predictor and rotation': 'options.gan_class = @S3GAN\nModularGAN.conditional = True\nS3GAN.rotated_batch_fraction = 1\nS3GAN.project_y = True\nS3GAN.use_predictor = True\nloss.fn = @hinge',
};

function batch(seed: number, bs = 4): Batch {
  return {
    images: tf.randomUniform([bs, ...info.imageShape], 0, 1, 'float32', seed) as tf.Tensor4D,
    labels: tf.tensor1d(Int32Array.from({ length: bs }, (_, i) => (i + seed) % info.numClasses), 'int32'),
    labelled: tf.tensor1d(Float32Array.from({ length: bs }, (_, i) => (i === 1 ? 0 : 1))),
  };
}

function withGan<T>(gin: string, f: (gan: ModularGAN, store: VariableStore) => T): T {
  config.clear();
  parseConfig(BASE + gin);
  const Gan = getOptions().gan_class as new (kw: object) => ModularGAN;
  const store = new VariableStore();
  try {
    const gan = new Gan({ datasetInfo: info, store, rng: new Rng(7) });
    gan.build();
    return f(gan, store);
  } finally {
    store.dispose();
    config.clear();
  }
}

/** G's loss and gradients by the given path, and every variable's values afterwards. */
function gLossAndGrads(gan: ModularGAN, store: VariableStore, b: Batch, fakeY: tf.Tensor2D | null, fakesOnly: boolean) {
  const saved = new Map([...store.all()].map(([n, v]) => [n, tf.clone(v)]));
  const realY = gan.realLabels(b);
  const z = tf.randomNormal([4, 6], 0, 1, 'float32', 3) as tf.Tensor2D;
  const { value, grads } = tf.variableGrads(() => {
    const fake = gan.generator(z, fakeY, true);
    return gan.createLoss({ images: b.images, realY, fake, fakeY, mode: 'g', fakesOnly }).g_loss;
  }, gan.gVars());
  const bytes = (t: tf.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync() as Float32Array).buffer));
  const out = {
    loss: bytes(value),
    grads: Object.fromEntries(Object.entries(grads).map(([n, t]) => [n, bytes(t)])),
    after: Object.fromEntries([...store.all()].map(([n, v]) => [n, bytes(v)])),
  };
  // Back to the state before, for the other path.
  for (const [n, v] of store.all()) v.assign(saved.get(n)!);
  tf.dispose([value, ...Object.values(grads), z, ...(realY ? [realY] : []), ...saved.values()]);
  return out;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

for (const [name, gin] of Object.entries(VARIANTS)) {
  test(`${name}: G on the fakes alone gives the full call's loss, gradients and state, bit for bit`, () => {
    withGan(gin, (gan, store) => {
      expect(gan.generatorSkipsReal()).toBe(true);
      const b = batch(11);
      const fakeY = gan.conditional ? gan.sampleLabels(4) : null;
      const full = gLossAndGrads(gan, store, b, fakeY, false);
      const alone = gLossAndGrads(gan, store, b, fakeY, true);
      expect(Object.keys(full.grads).length).toBeGreaterThan(0);
      expect(alone).toEqual(full);
      // The spectral norm's u advanced (once, as in the full call).
      const u = Object.keys(full.after).filter((n) => n.startsWith('discriminator') && n.endsWith('u_var'));
      expect(u.length).toBeGreaterThan(0);
      tf.dispose([b.images, b.labels, b.labelled, ...(fakeY ? [fakeY] : [])]);
    });
  });
}

/** Batch sizes D sees in one trainStep (its D step first, then its G step). */
function dCallRows(gin: string): number[] {
  return withGan(gin, (gan) => {
    const d = gan.architecture.discriminator;
    const rows: number[] = [];
    const apply = d.apply.bind(d);
    (d as { apply: typeof d.apply }).apply = (x, y, t) => {
      rows.push(x.shape[0]);
      return apply(x, y, t);
    };
    const b = batch(5);
    gan.trainStep([b], 0);
    tf.dispose([b.images, b.labels, b.labelled]);
    return rows;
  });
}

test('trainStep runs D on the 4 fakes alone in G step where the rule holds', () => {
  expect(dCallRows('options.gan_class = @ModularGAN\nloss.fn = @hinge')).toEqual([8, 4]);
});

test('no skip with batch norm in D, split D calls or a loss that may read the real half', () => {
  const skips = (gin: string) => withGan(gin, (gan) => gan.generatorSkipsReal());
  expect(skips('options.gan_class = @ModularGAN\nloss.fn = @hinge\nD.batch_norm_fn = @batch_norm')).toBe(false);
  expect(skips('options.gan_class = @ModularGAN\nloss.fn = @hinge\nModularGAN.deprecated_split_disc_calls = True')).toBe(false);
  expect(skips('options.gan_class = @ModularGAN\nloss.fn = @test_loss_reading_real')).toBe(false);
  expect(dCallRows('options.gan_class = @ModularGAN\nloss.fn = @hinge\nD.batch_norm_fn = @batch_norm')).toEqual([8, 8]);
});
