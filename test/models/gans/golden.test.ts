/**
 * Same seed => same losses: every variant trains a few steps on fixed batches and its summaries
 * must equal, bit for bit, the numbers recorded (golden_losses.json) before the variant contract
 * was redesigned (issue 14). GAN_RECORD_GOLDEN=1 rewrites the file (only when a change of numbers
 * is intended and explained in the commit).
 */
import '@tensorflow/tfjs-backend-cpu';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { config, parseConfig } from '@cgan/config-lang';
import { Batch, DatasetInfo, getOptions, GanVariant, Rng, VariableStore } from '@cgan/models';

const FILE = path.join(__dirname, 'golden_losses.json');
const RECORD = process.env.GAN_RECORD_GOLDEN === '1';
const info: DatasetInfo = { name: 'tiny8', imageShape: [8, 8, 1], numClasses: 3, numExamples: { train: 64, test: 16 } };

const BASE = `
options.architecture = "dcgan_arch"
options.batch_size = 4
options.training_steps = 10
options.z_dim = 6
dcgan.Generator.gf_dim = 4
dcgan.Discriminator.df_dim = 4
`;

export const VARIANTS: Record<string, string> = {
  modular_uncond: `
options.gan_class = @ModularGAN
options.disc_iters = 2
options.lamba = 10
loss.fn = @wasserstein
penalty.fn = @wgangp_penalty
ModularGAN.d_lr = 0.001
tf.train.AdamOptimizer.beta1 = 0.5
`,
  modular_cond: `
options.gan_class = @ModularGAN
loss.fn = @hinge
ModularGAN.conditional = True
ModularGAN.fit_label_distribution = True
ModularGAN.g_use_ema = True
ModularGAN.ema_decay = 0.5
ModularGAN.ema_start_step = 1
z.distribution_fn = @tf.random.normal
`,
  ssgan: `
options.gan_class = @SSGAN
SSGAN.rotated_batch_size = 8
loss.fn = @non_saturating
`,
  s3gan: `
options.gan_class = @S3GAN
ModularGAN.conditional = True
S3GAN.rotated_batch_fraction = 1
S3GAN.project_y = True
S3GAN.use_predictor = True
loss.fn = @hinge
`,
  s2gan: `
options.gan_class = @S2GAN
ModularGAN.conditional = True
S2GAN.pretrain_steps = 1
loss.fn = @hinge
`,
  bigbigan: `
options.gan_class = @BigBiGAN
encoder.ch = 4
encoder.mlp_units = 8
BigBiGAN.mlp_units = 8
BigBiGAN.encoder_lr = 0.001
loss.fn = @hinge
z.distribution_fn = @tf.random.normal
`,
};

function batch(seed: number, bs: number): Batch {
  const labels = Int32Array.from({ length: bs }, (_, i) => (i + seed) % info.numClasses);
  const labelled = Float32Array.from({ length: bs }, (_, i) => (i === 1 ? 0 : 1));
  return {
    images: tf.randomUniform([bs, ...info.imageShape], 0, 1, 'float32', seed) as tf.Tensor4D,
    labels: tf.tensor1d(labels, 'int32'),
    labelled: tf.tensor1d(labelled),
  };
}

/** Losses of 3 steps plus a checksum of 4 samples drawn after them. */
function run(gin: string): { steps: Array<Record<string, number>>; sample: number } {
  config.clear();
  parseConfig(BASE + gin);
  const Gan = getOptions().gan_class as new (kw: object) => GanVariant;
  const store = new VariableStore();
  try {
    const gan = new Gan({ datasetInfo: info, store, rng: new Rng(7) });
    gan.build();
    const steps: Array<Record<string, number>> = [];
    let seed = 100;
    for (let s = 0; s < 3; s++) {
      const bs = Array.from({ length: gan.discIters }, () => batch(seed++, 4));
      steps.push(gan.trainStep(bs, s));
      for (const b of bs) tf.dispose([b.images, b.labels, b.labelled]);
    }
    const sample = tf.tidy(() => tf.sum(samplePreview(gan)).dataSync()[0]);
    return { steps, sample };
  } finally {
    store.dispose();
    config.clear();
  }
}

/** Four images from the sampling generator (z from the GAN's stream, no labels). */
function samplePreview(gan: GanVariant): tf.Tensor4D {
  const g = gan as unknown as { sample(z: tf.Tensor2D, y: tf.Tensor2D | null): tf.Tensor4D; sampleZ(n: number): tf.Tensor2D };
  return g.sample(g.sampleZ(4), null);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const golden: Record<string, ReturnType<typeof run>> = fs.existsSync(FILE) ? JSON.parse(fs.readFileSync(FILE, 'utf8')) : {};
afterAll(() => {
  if (RECORD) fs.writeFileSync(FILE, JSON.stringify(golden, null, 1) + '\n');
});

for (const name of Object.keys(VARIANTS)) {
  test(`${name}: the same losses as recorded before the contract redesign`, () => {
    const got = run(VARIANTS[name]);
    for (const s of got.steps) for (const v of Object.values(s)) expect(Number.isFinite(v)).toBe(true);
    if (RECORD) golden[name] = got;
    else expect(got).toEqual(golden[name]);
  });
}
