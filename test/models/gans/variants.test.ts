import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { config, ConfigError, parseConfig } from '@cgan/config-lang';
import { getOptions, optimizerState, rotateImages, setOptimizerState, z_generator } from '@cgan/models';
import { allFinite, buildGan, disposeGan, info, randomBatch } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => config.clear());

const snapshot = (vars: tf.Variable[]) => vars.map((v) => Array.from(v.dataSync()));

test('options: compare_gan names, lamba -> lambda, REQUIRED options named', () => {
  expect(() => getOptions()).toThrow(ConfigError);
  parseConfig(`
options.batch_size = 16
options.gan_class = @ModularGAN
options.architecture = "tiny_test_arch"
options.training_steps = 100
options.lamba = 10
options.discriminator_normalization = None
`);
  const o = getOptions();
  expect(o).toMatchObject({ batch_size: 16, architecture: 'tiny_test_arch', training_steps: 100, lambda: 10, disc_iters: 1, z_dim: 128 });
  expect(typeof o.gan_class).toBe('function');
});

test('ModularGAN from a gin string: disc_iters D updates, one G update, WGAN-GP, finite losses', () => {
  const { gan, store } = buildGan(`
options.gan_class = @ModularGAN
options.disc_iters = 2
options.lamba = 10
loss.fn = @wasserstein
penalty.fn = @wgangp_penalty
ModularGAN.g_optimizer_fn = @tf.train.AdamOptimizer
ModularGAN.d_lr = 0.001
tf.train.AdamOptimizer.beta1 = 0.5
z.distribution_fn = @tf.random.normal
`);
  expect(gan.discIters).toBe(2);
  expect(gan.zDim).toBe(8);
  expect((gan.dOptimizer as tf.AdamOptimizer).getConfig()).toMatchObject({ learningRate: 0.001, beta1: 0.5 });
  expect((gan.gOptimizer as tf.AdamOptimizer).getConfig()).toMatchObject({ learningRate: 0.0002, beta1: 0.5 });
  const g0 = snapshot(gan.gVars());
  const d0 = snapshot(gan.dVars());
  const s = gan.trainStep([randomBatch(8, 1), randomBatch(8, 2)], 0);
  expect(allFinite(s)).toBe(true);
  expect(Object.keys(s)).toEqual(expect.arrayContaining(['d_loss', 'g_loss', 'd_loss_0', 'd_loss_1', 'penalty', 'd_loss_real', 'd_loss_fake']));
  expect(s.penalty).toBeGreaterThan(0);
  expect(snapshot(gan.gVars())).not.toEqual(g0);
  expect(snapshot(gan.dVars())).not.toEqual(d0);
  expect(() => gan.trainStep([randomBatch(8, 3)], 1)).toThrow(/disc_iters = 2 batches, got 1/);
  const img = gan.sample(gan.sampleZ(4), null);
  expect(img.shape).toEqual([4, 8, 8, 1]);
  disposeGan(gan, store);
});

test('weight clipping (original WGAN) keeps D weights within the limit after each D step', () => {
  const { gan, store } = buildGan(`
options.gan_class = @ModularGAN
loss.fn = @wasserstein
weight_clipping.limit = 0.01
ModularGAN.g_optimizer_fn = @tf.train.RMSPropOptimizer
ModularGAN.g_lr = 0.00005
`);
  gan.trainStep([randomBatch(8, 1)], 0);
  for (const v of gan.dVars()) {
    const m = Math.max(...Array.from(v.dataSync() as Float32Array).map(Math.abs));
    expect(m).toBeLessThanOrEqual(0.01 + 1e-7);
  }
  disposeGan(gan, store);
});

test('g_use_ema: shadows follow ema_decay after ema_start_step; sample() uses them and restores G', () => {
  const { gan, store } = buildGan(`
options.gan_class = @ModularGAN
ModularGAN.g_use_ema = True
ModularGAN.ema_decay = 0.5
ModularGAN.ema_start_step = 1
ModularGAN.g_lr = 0.01
`);
  const v = gan.gVars()[0];
  const shadow = () => Array.from(store.all().get(`${v.name}/ExponentialMovingAverage`)!.dataSync());
  expect(shadow()).toEqual(Array.from(v.dataSync()));
  gan.trainStep([randomBatch(8, 1)], 0); // before ema_start_step: decay 0, shadow = weights
  expect(shadow()).toEqual(Array.from(v.dataSync()));
  const w1 = Array.from(v.dataSync());
  gan.trainStep([randomBatch(8, 2)], 1); // decay 0.5
  const w2 = Array.from(v.dataSync());
  shadow().forEach((s, i) => expect(s).toBeCloseTo(0.5 * w1[i] + 0.5 * w2[i], 5));
  const z = gan.sampleZ(4);
  const plain = gan.generator(z, null, false).dataSync();
  const averaged = gan.sample(z, null).dataSync();
  expect(Array.from(averaged)).not.toEqual(Array.from(plain));
  expect(Array.from(gan.generator(z, null, false).dataSync())).toEqual(Array.from(plain));
  disposeGan(gan, store);
});

test('conditional ModularGAN with fit_label_distribution counts the real labels', () => {
  const { gan, store } = buildGan(`
options.gan_class = @ModularGAN
ModularGAN.conditional = True
ModularGAN.fit_label_distribution = True
loss.fn = @hinge
`);
  gan.trainStep([randomBatch(8, 1)], 0);
  const counts = Array.from(store.all().get('label_counts/label_counts')!.dataSync());
  // labels 0,1,2,0,1,2,0,1 -> 3, 3, 2 (plus the 1e-6 initial value)
  counts.forEach((c, i) => expect(c).toBeCloseTo([3, 3, 2][i], 4));
  expect(gan.sample(gan.sampleZ(2), null).shape).toEqual([2, 8, 8, 1]);
  disposeGan(gan, store);
});

test('optimizer state round-trips through optimizerState / setOptimizerState', async () => {
  const { gan, store } = buildGan('options.gan_class = @ModularGAN\n');
  gan.trainStep([randomBatch(8, 1)], 0);
  const saved = await optimizerState(gan);
  const nG = gan.gVars().length;
  const nD = gan.dVars().length;
  expect([...saved.keys()].filter((k) => k.startsWith('g_opt/'))).toHaveLength(1 + 2 * nG);
  expect([...saved.keys()].filter((k) => k.startsWith('d_opt/'))).toHaveLength(1 + 2 * nD);
  const values = new Map([...saved].map(([k, t]) => [k, Array.from(t.dataSync())]));
  gan.trainStep([randomBatch(8, 2)], 1);
  const changed = await optimizerState(gan);
  expect([...changed].some(([k, t]) => JSON.stringify(Array.from(t.dataSync())) !== JSON.stringify(values.get(k)))).toBe(true);
  await setOptimizerState(gan, saved);
  const restored = await optimizerState(gan);
  for (const [k, t] of restored) expect(Array.from(t.dataSync())).toEqual(values.get(k));
  disposeGan(gan, store);
});

test('rotate_images: 0, 90, 180, 270 degrees counter-clockwise, as compare_gan', () => {
  const img = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
  const r = Array.from(rotateImages(img).dataSync());
  expect(r).toEqual([1, 2, 3, 4, /* 90 */ 2, 4, 1, 3, /* 180 */ 4, 3, 2, 1, /* 270 */ 3, 1, 4, 2]);
  expect(() => rotateImages(tf.zeros([1, 2, 3, 1]) as tf.Tensor4D)).toThrow(/square images/);
});

test('z: uniform in [-1, 1) by default; @tf.random.normal when bound', () => {
  const u = Array.from(z_generator({ shape: [100, 10], seed: 1 } as never).dataSync());
  expect(Math.min(...u)).toBeGreaterThanOrEqual(-1);
  expect(Math.max(...u)).toBeLessThan(1);
  expect(Math.min(...u)).toBeLessThan(-0.9);
  parseConfig('z.distribution_fn = @tf.random.normal');
  const n = Array.from(z_generator({ shape: [100, 10], seed: 1 } as never).dataSync());
  const mean = n.reduce((a, b) => a + b, 0) / n.length;
  const sd = Math.sqrt(n.reduce((a, b) => a + (b - mean) ** 2, 0) / n.length);
  expect(Math.abs(mean)).toBeLessThan(0.15);
  expect(Math.abs(sd - 1)).toBeLessThan(0.15);
  expect(Math.max(...n.map(Math.abs))).toBeGreaterThan(1.5);
});

test('SSGAN: rotation head on D features, rotation losses reported, finite step', () => {
  const { gan, store } = buildGan(`
options.gan_class = @SSGAN
SSGAN.rotated_batch_size = 8
SSGAN.weight_rotation_loss_d = 1.0
SSGAN.weight_rotation_loss_g = 0.2
loss.fn = @non_saturating
penalty.fn = @dragan_penalty
`);
  expect(store.has('discriminator_rotation/score_classify/kernel')).toBe(true);
  const s = gan.trainStep([randomBatch(8, 1)], 0);
  expect(allFinite(s)).toBe(true);
  // 4 rotation classes, untrained head: cross-entropy near log(4)
  expect(s.c_real_loss).toBeGreaterThan(0.5);
  expect(s.c_real_loss).toBeLessThan(3);
  expect(s).toHaveProperty('c_fake_loss');
  expect(s).toHaveProperty('d_rotation_accuracy');
  disposeGan(gan, store);
  config.clear();
  expect(() => buildGan('options.gan_class = @SSGAN\nSSGAN.rotated_batch_size = 6\n')).toThrow(/multiple of 4/);
});

test('S3GAN (S2GAN-CO): projection, predictor labels the unlabelled examples, class loss on labelled ones', () => {
  for (const soft of ['False', 'True']) {
    config.clear();
    const { gan, store } = buildGan(`
options.gan_class = @S3GAN
ModularGAN.conditional = True
S3GAN.self_supervision = "rotation"
S3GAN.rotated_batch_fraction = 2
S3GAN.project_y = True
S3GAN.use_predictor = True
S3GAN.use_soft_pred = ${soft}
S3GAN.weight_class_loss = 1.0
loss.fn = @hinge
`);
    expect(store.has('discriminator_projection/kernel')).toBe(true);
    expect(store.has('discriminator_predictor/predictor_linear/kernel')).toBe(true);
    const batch = randomBatch(8, 1, [0, 1, 2, 3]);
    // Unlabelled examples arrive as all-zero one-hot rows.
    const y = Array.from(tf.sum(gan.realLabels(batch)!, 1).dataSync());
    expect(y).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    const s = gan.trainStep([batch], 0);
    expect(allFinite(s)).toBe(true);
    expect(s.label_frac).toBeCloseTo(0.5, 5);
    expect(s.class_loss_real).toBeGreaterThan(0);
    expect(s).toHaveProperty('rotation_real_loss');
    disposeGan(gan, store);
  }
  config.clear();
  expect(() => buildGan('options.gan_class = @S3GAN\nS3GAN.rotated_batch_fraction = 2\nS3GAN.use_predictor = True\n')).toThrow(/requires S3GAN.project_y/);
});

test('S2GAN: classifier pre-training on rotation features, then a conditional GAN on predicted labels', () => {
  const { gan, store } = buildGan(`
options.gan_class = @S2GAN
ModularGAN.conditional = True
S2GAN.pretrain_steps = 2
S2GAN.classifier_lr = 0.01
`);
  const batch = randomBatch(8, 1, [0, 1, 2]);
  const d0 = snapshot(gan.dVars());
  const p = gan.trainStep([batch], 0);
  expect(Object.keys(p)).toEqual(expect.arrayContaining(['pretrain_loss', 'pretrain_rotation_loss', 'pretrain_class_loss', 'pretrain_labelled_accuracy']));
  expect(allFinite(p)).toBe(true);
  gan.trainStep([batch], 1);
  expect(snapshot(gan.dVars())).toEqual(d0); // GAN untouched while pre-training
  expect(store.all('s2gan_classifier/').size).toBeGreaterThan(0);
  // Every example now has a label: its own, or the classifier's prediction (one-hot).
  const y = gan.realLabels(batch)!;
  expect(Array.from(tf.sum(y, 1).dataSync())).toEqual(new Array(8).fill(1));
  expect(Array.from(tf.argMax(tf.slice(y, [3, 0], [5, 3]), 1).dataSync())).toEqual([0, 1, 2, 0, 1]);
  const s = gan.trainStep([batch], 2);
  expect(allFinite(s)).toBe(true);
  expect(s).toHaveProperty('g_loss');
  expect(snapshot(gan.dVars())).not.toEqual(d0);
  disposeGan(gan, store);
  config.clear();
  expect(() => buildGan('options.gan_class = @S2GAN\n')).toThrow(/ModularGAN.conditional = True/);
});

test('errors: unknown architecture names the known ones; non-conditional dataset', () => {
  parseConfig('options.gan_class = @ModularGAN\n');
  expect(() => buildGan('options.architecture = "no_such_arch"\n')).toThrow(/options.architecture = "no_such_arch".*tiny_test_arch/);
  void info;
});

test('no tensor leaks: steps and samples of every variant keep tf.memory().numTensors flat', () => {
  const configs = [
    'options.gan_class = @ModularGAN\noptions.disc_iters = 2\npenalty.fn = @wgangp_penalty\nModularGAN.g_use_ema = True\nModularGAN.conditional = True\nModularGAN.fit_label_distribution = True',
    'options.gan_class = @ModularGAN\noptions.disc_iters = 3\nModularGAN.experimental_joint_gen_for_disc = True\nModularGAN.deprecated_split_disc_calls = True\nModularGAN.conditional = True\nloss.fn = @least_squares\npenalty.fn = @l2_penalty',
    'options.gan_class = @SSGAN\nSSGAN.rotated_batch_size = 4\npenalty.fn = @dragan_penalty',
    'options.gan_class = @S3GAN\nModularGAN.conditional = True\nS3GAN.rotated_batch_fraction = 2\nS3GAN.project_y = True\nS3GAN.use_predictor = True',
    'options.gan_class = @S2GAN\nModularGAN.conditional = True\nS2GAN.pretrain_steps = 2',
  ];
  for (const gin of configs) {
    config.clear();
    const { gan, store } = buildGan(gin);
    const batches = Array.from({ length: gan.discIters }, (_, i) => randomBatch(8, i + 1, [0]));
    const z = gan.sampleZ(2);
    const run = (step: number) => {
      gan.trainStep(batches, step);
      tf.dispose(gan.sample(z, null));
    };
    run(0);
    run(1);
    run(2); // optimizer slots exist from here on (S2GAN: first GAN step)
    const before = tf.memory().numTensors;
    run(3);
    run(4);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z, ...batches.flatMap((b) => [b.images, b.labels, b.labelled])]);
    disposeGan(gan, store);
  }
});

test('a non-finite loss is reported in the summaries and its update skipped', () => {
  const { gan, store } = buildGan('options.gan_class = @ModularGAN\n');
  const batch = randomBatch(8, 1);
  const bad = { ...batch, images: tf.fill([8, 8, 8, 1], NaN) as tf.Tensor4D };
  const d0 = snapshot(gan.dVars());
  const s = gan.trainStep([bad], 0);
  expect(Number.isNaN(s.d_loss)).toBe(true);
  expect(snapshot(gan.dVars())).toEqual(d0);
  disposeGan(gan, store);
});
