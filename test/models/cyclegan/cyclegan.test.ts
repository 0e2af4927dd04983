/** CycleGAN: unpaired data, the networks, the image pool, one training step, translation. */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { config, configurable, parseConfig } from '@cgan/config-lang';
import {
  arch_ops,
  createUnpairedDataset,
  CycleGAN,
  disposeBatch,
  evaluateGan,
  getOptions,
  ImagePool,
  makeLrSchedule,
  nearestIsTarget,
  Rng,
  UnpairedDataset,
  useBackend,
  VariableStore,
} from '@cgan/models';

// The wasm backend (the runner's default): CycleGAN's convolutions are ~15x slower on 'cpu'.
beforeAll(async () => {
  await useBackend('wasm');
});
afterAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => config.clear());

const DATA = `
dataset.name = "unpaired"
dataset.resolution = 16
a/dataset.name = "shape_scenes"
a/domain.classes = ["circle"]
b/dataset.name = "shape_scenes"
b/domain.classes = ["square"]
a/dataset.num_train_examples = 16
b/dataset.num_train_examples = 16
a/dataset.num_test_examples = 8
b/dataset.num_test_examples = 8
`;

const TINY = `${DATA}
options.gan_class = @CycleGAN
options.architecture = "resnet_1blocks"
options.batch_size = 2
options.training_steps = 4
resnet_generator.ngf = 2
patch_discriminator.ndf = 2
patch_discriminator.n_layers = 2
CycleGAN.pool_size = 3
`;

async function build(gin = TINY): Promise<{ gan: CycleGAN; store: VariableStore; ds: UnpairedDataset }> {
  parseConfig(gin);
  const ds = await createUnpairedDataset({ seed: 3 });
  const store = new VariableStore();
  const Gan = getOptions().gan_class as new (kw: object) => CycleGAN;
  const gan = new Gan({ datasetInfo: ds.info, store, rng: new Rng(5) });
  gan.build();
  return { gan, store, ds };
}

test('shape_scenes domains: test scene i is the same in A and B; B is shuffled apart from A', async () => {
  parseConfig(DATA);
  const ds = await createUnpairedDataset({ seed: 3 });
  expect(ds.info.domains?.pairedTest).toBe(true);
  expect(ds.domain('a').info.numExamples).toEqual({ train: 16, test: 8 });
  const it = ds.batches('test', { batchSize: 8, repeat: false });
  const b = (await it.next()).value;
  // Same scene: the shapes' centroids (intensity-weighted) agree within a pixel.
  const centroid = (x: tf.Tensor4D) =>
    tf.tidy(() => {
      const m = tf.sum(x, 3) as tf.Tensor3D;
      const ys = tf.reshape(tf.range(0, 16), [1, 16, 1]);
      const xs = tf.reshape(tf.range(0, 16), [1, 1, 16]);
      const tot = tf.sum(m, [1, 2]);
      return [tf.div(tf.sum(tf.mul(m, ys), [1, 2]), tot).arraySync() as number[], tf.div(tf.sum(tf.mul(m, xs), [1, 2]), tot).arraySync() as number[]];
    });
  const [ay, ax] = centroid(b.images);
  const [by, bx] = centroid(b.imagesB!);
  for (let i = 0; i < 8; i++) {
    expect(Math.abs(ay[i] - by[i])).toBeLessThan(1);
    expect(Math.abs(ax[i] - bx[i])).toBeLessThan(1);
  }
  expect(tf.tidy(() => tf.max(tf.abs(tf.sub(b.images, b.imagesB!))).dataSync()[0])).toBeGreaterThan(0.1);
  disposeBatch(b);
  await it.return?.();
  const train = ds.batches('train', { batchSize: 16, seed: 1, repeat: true });
  const t = (await train.next()).value;
  const [tay] = centroid(t.images);
  const [tby] = centroid(t.imagesB!);
  expect(tay.some((v, i) => Math.abs(v - tby[i]) > 1)).toBe(true);
  disposeBatch(t);
  await train.return?.();
});

test('bad unpaired data: an empty domain, mismatched channels, an unknown class are named', async () => {
  parseConfig('dataset.name = "unpaired"\na/dataset.name = "shapes"\n');
  await expect(createUnpairedDataset({ seed: 1 })).rejects.toThrow(/Domain B is empty.*b\/dataset\.name/);
  config.clear();
  parseConfig(`${DATA}\nb/dataset.colors = 1\n`);
  await expect(createUnpairedDataset({ seed: 1 })).rejects.toThrow(/different channels: A \(shape_scenes\[circle\]\) 3, B \(shape_scenes\[square\]\) 1/);
  config.clear();
  parseConfig(`${DATA}\nb/domain.classes = ["hexagon"]\n`);
  await expect(createUnpairedDataset({ seed: 1 })).rejects.toThrow(/'hexagon' is not a class of shape_scenes/);
});

test('CycleGAN on single-domain data, or with a (z, y) architecture, is a clear error', async () => {
  parseConfig(TINY);
  const info = { name: 'shapes', imageShape: [16, 16, 3] as [number, number, number], numClasses: 4, numExamples: { train: 1, test: 1 } };
  expect(() => new CycleGAN({ datasetInfo: info, store: new VariableStore(), rng: new Rng(1) } as never)).toThrow(/has one: set dataset.name = "unpaired"/);
  config.clear();
  await expect(build(TINY.replace('"resnet_1blocks"', '"dcgan_arch"'))).rejects.toThrow(/"dcgan_arch" is not a CycleGAN generator/);
});

test('one training step: finite losses, both generators and discriminators change; translate keeps the shape', async () => {
  const { gan, store, ds } = await build();
  expect(gan.networks().map((n) => n.name)).toEqual(['generator_a2b', 'generator_b2a', 'discriminator_a', 'discriminator_b']);
  expect(gan.optimizers().map((o) => o.name)).toEqual(['g', 'd']);
  const before = [...gan.gVars(), ...gan.dVars()].map((v) => Array.from(v.dataSync()));
  const it = ds.batches('train', { batchSize: 2, seed: 1, repeat: true });
  const batch = (await it.next()).value;
  const s = gan.trainStep([batch], 0);
  disposeBatch(batch);
  await it.return?.();
  for (const k of ['g_loss', 'd_loss', 'g_loss_a2b', 'g_loss_b2a', 'cycle_loss_a', 'cycle_loss_b', 'identity_loss_a', 'identity_loss_b', 'd_loss_a', 'd_loss_b']) {
    expect(Number.isFinite(s[k])).toBe(true);
  }
  expect(s.g_loss).toBeCloseTo(s.g_loss_a2b + s.g_loss_b2a + s.cycle_loss_a + s.cycle_loss_b + s.identity_loss_a + s.identity_loss_b, 4);
  const after = [...gan.gVars(), ...gan.dVars()].map((v) => Array.from(v.dataSync()));
  expect(after.filter((a, i) => JSON.stringify(a) !== JSON.stringify(before[i])).length).toBeGreaterThan(after.length / 2);
  const x = tf.randomUniform([3, 16, 16, 3]) as tf.Tensor4D;
  const y = gan.translate(x, 'b2a');
  expect(y.shape).toEqual([3, 16, 16, 3]);
  expect(() => gan.translate(tf.zeros([1, 8, 8, 3]) as tf.Tensor4D, 'a2b')).toThrow(/trained on 16x16x3 images/);
  const p = await gan.preview(4, { dataset: ds });
  expect(p.images.shape).toEqual([24, 16, 16, 3]);
  expect(p.columns).toBe(4);
  const m = await gan.extraMetrics({ dataset: ds, rng: new Rng(1), log: () => undefined });
  expect(m.shapes_chance).toBeCloseTo(1 / 16);
  expect(m.shapes_a2b_accuracy).toBeGreaterThanOrEqual(0);
  expect(m.cycle_error_a).toBeGreaterThan(0);
  tf.dispose([x, y, p.images]);
  store.dispose();
});

test('image pool: stores the first pool_size fakes, then swaps about half of them', () => {
  const store = new VariableStore();
  const pool = new ImagePool(store, 'pool', 2, [1, 1, 1], new Rng(1));
  const q = (v: number[]) => Array.from(pool.query(tf.tensor4d(v, [v.length, 1, 1, 1])).dataSync());
  expect(q([1, 2])).toEqual([1, 2]);
  const out = q(Array.from({ length: 200 }, (_, i) => 10 + i));
  const swapped = out.filter((v, i) => v !== 10 + i).length;
  expect(swapped).toBeGreaterThan(70);
  expect(swapped).toBeLessThan(130);
  expect(out.filter((v) => v === 1 || v === 2).length).toBeGreaterThan(0);
  store.dispose();
});

test('linear LR decay: constant, then to zero; instance norm normalises each image and channel', () => {
  const f = makeLrSchedule({ decay: 'linear', decay_start_step: null, decay_end_step: null }, 100)!;
  expect([f(0), f(49), f(50), f(75), f(100)]).toEqual([1, 1, 1, 0.5, 0]);
  expect(makeLrSchedule({ decay: 'none', decay_start_step: null, decay_end_step: null }, 100)).toBeNull();
  const x = tf.randomNormal([2, 4, 4, 3], 3, 2) as tf.Tensor4D;
  const y = arch_ops.instance_norm({ ctx: arch_ops.opContext(new VariableStore(), true), inputs: x } as never) as tf.Tensor4D;
  const { mean, variance } = tf.moments(y, [1, 2]);
  for (const v of mean.dataSync()) expect(Math.abs(v)).toBeLessThan(1e-5);
  for (const v of variance.dataSync()) expect(v).toBeCloseTo(1, 3);
});

test('nearestIsTarget: the right scene in the right domain', () => {
  const a = tf.tensor4d([0, 1, 2, 3], [4, 1, 1, 1]);
  const b = tf.tensor4d([10, 11, 12, 13], [4, 1, 1, 1]);
  expect(nearestIsTarget(b, b, a)).toBe(1);
  expect(nearestIsTarget(a, b, a)).toBe(0);
  expect(nearestIsTarget(tf.tensor4d([10.2, 11.4, 13, 3], [4, 1, 1, 1]), b, a)).toBe(0.5);
});

test('instance norm in another architecture: D.batch_norm_fn = @instance_norm on dcgan_arch', () => {
  parseConfig(`
options.gan_class = @ModularGAN
options.architecture = "dcgan_arch"
options.batch_size = 2
options.training_steps = 1
options.z_dim = 4
dcgan.Generator.gf_dim = 2
dcgan.Discriminator.df_dim = 2
D.batch_norm_fn = @instance_norm
instance_norm.affine = True
`);
  const store = new VariableStore();
  const Gan = getOptions().gan_class as new (kw: object) => { build(): void; trainStep(b: unknown[], s: number): Record<string, number> };
  const info = { name: 'x', imageShape: [8, 8, 1] as [number, number, number], numClasses: 0, numExamples: { train: 2, test: 2 } };
  const gan = new Gan({ datasetInfo: info, store, rng: new Rng(1) });
  gan.build();
  const batch = { images: tf.randomUniform([2, 8, 8, 1]) as tf.Tensor4D, labels: tf.tensor1d([0, 0], 'int32'), labelled: tf.ones([2]) as tf.Tensor1D };
  expect(Object.values(gan.trainStep([batch], 0)).every(Number.isFinite)).toBe(true);
  expect([...store.all().keys()].filter((k) => k.startsWith('discriminator/') && k.endsWith('/gamma')).length).toBeGreaterThan(0);
  disposeBatch(batch);
  store.dispose();
});

/** A stand-in feature extractor (per-channel means and spreads), so FID runs without trained weights. */
configurable('cyclegan_test_extractor', { params: {} }, async () => ({
  name: 'test',
  fingerprint: '0',
  featureDim: 6,
  numClasses: 0,
  extract: (x: tf.Tensor4D) => tf.tidy(() => {
    const m = tf.moments(x, [1, 2]);
    return { features: tf.concat([m.mean, tf.sqrt(m.variance)], 1) as tf.Tensor2D };
  }),
  dispose: () => undefined,
}));

test('evaluation: FID of translated A against real test B (and the reverse), cycle error, shapes accuracy', async () => {
  const { gan, store, ds } = await build(`${TINY}
feature_extractor.extractor = @cyclegan_test_extractor
evaluation.metrics = ["fid"]
evaluation.num_samples = 8
evaluation.batch_size = 4
evaluation.cache_dir = None
`);
  const m = await evaluateGan({ gan, dataset: ds, step: 0, modelDir: '', rng: new Rng(2), log: () => undefined });
  expect(Object.keys(m).sort()).toEqual(['a2b_fid[test]', 'b2a_fid[test]', 'cycle_error_a', 'cycle_error_b', 'shapes_a2b_accuracy', 'shapes_b2a_accuracy', 'shapes_chance']);
  expect(m['a2b_fid[test]']).toBeGreaterThan(0);
  store.dispose();
});

test('U-Net generators (options.architecture = "unet" / "unet_<size>") keep the image shape', async () => {
  for (const arch of ['unet', 'unet_16']) {
    const { gan, store } = await build(TINY.replace('"resnet_1blocks"', `"${arch}"`).replace('resnet_generator.ngf = 2', 'unet_generator.ngf = 2'));
    const y = gan.translate(tf.zeros([1, 16, 16, 3]) as tf.Tensor4D, 'a2b');
    expect(y.shape).toEqual([1, 16, 16, 3]);
    expect([...store.all().keys()].filter((k) => k.startsWith('generator_a2b/') && k.endsWith('/down/kernel'))).toHaveLength(4);
    y.dispose();
    store.dispose();
    config.clear();
  }
});
