/**
 * Issue 6's correctness claim, end to end in CI time: on Fashion-MNIST, FID (with the domain
 * classifier as feature extractor) ranks
 *   real test vs real train  <<  a GAN after a few hundred steps  <  the same GAN at step 0.
 * A small classifier is trained on a subset into a temp dir (as `gan train-classifier` does),
 * the shipped gin-configs/fashion_mnist/sndcgan.gin is shrunk by bindings and trained a few
 * hundred steps, and FID is computed against the test split at step 0 and at the end.
 * Measured (2 cores, wasm + OpenBLAS): classifier 68.5% in 3 s; FID step 0 128.7, step 200 44.3
 * (GAN training ~51 s), real test vs train 0.19; ~58 s in all.
 * The margins make it fail when training does nothing (FID(N) ≈ FID(0)) or when the metric
 * cannot tell real from generated images.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { config } from '@cgan/config-lang';
import { evaluateGenerator, InMemoryDataset, loadClassifierExtractor, saveClassifier, trainClassifier } from '@cgan/models';
import type { FeatureExtractor, GanVariant } from '@cgan/models';
import { buildRun, disposeRun } from '../../packages/runner/src/wiring/container';

jest.setTimeout(300000);

const STEPS = 200;
const N_EVAL = 1000;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fid-improves-'));
afterAll(() => {
  config.clear();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const hasFashionMnist = fs.existsSync('/usr/share/datasets/fashion-mnist') || !!process.env.GAN_DATA_DIR;
const maybe = hasFashionMnist ? test : test.skip;

maybe(`fashion-mnist: FID(real test, real train) << FID(step ${STEPS}) < FID(step 0)`, async () => {
  const t0 = Date.now();
  const gin = path.join(__dirname, '../../gin-configs/fashion_mnist/sndcgan.gin');
  const built = await buildRun(
    {
      ginConfigs: [gin],
      ginBindings: [
        'runtime.seed = 5',
        'options.batch_size = 32',
        'options.z_dim = 32',
        'sndcgan.Generator.ch = 8',
        'sndcgan.Discriminator.ch = 8',
      ],
      dataDir: null,
      fakeDataFallback: false,
    },
    { info: () => undefined, warn: () => undefined },
  );
  try {
    const tBuilt = Date.now();
    const dataset = built.dataset as InMemoryDataset;
    const info = dataset.info;

    // A small domain classifier on a subset (the feature extractor of the metric).
    const trained = await trainClassifier({
      dataset: info.name,
      imageShape: info.imageShape,
      numClasses: info.numClasses,
      train: dataset.data('train'),
      test: dataset.data('test'),
      train_examples: 2560,
      test_examples: 1000,
      epochs: 1,
      batch_size: 64,
      learning_rate: 0.003,
      seed: 3,
      arch: { conv_filters: [8, 16], dense_units: 32 },
    });
    await saveClassifier(tmp, trained);
    trained.model.dispose();
    // A classifier that learned nothing would make every FID meaningless.
    expect(trained.meta.testAccuracy).toBeGreaterThan(0.5);
    const extractor: FeatureExtractor = await loadClassifierExtractor(tmp);
    const tClassifier = Date.now();

    const fid = async (sample: (n: number) => tf.Tensor4D | Promise<tf.Tensor4D>): Promise<number> => {
      const r = await evaluateGenerator({ sample, dataset, extractor, num_samples: N_EVAL, batch_size: 100, split: 'test', metrics: ['fid'], cache_dir: null });
      return r[`fid[${extractor.name}]`];
    };

    const gan = built.gan as GanVariant;
    gan.build();
    const fromGan = (n: number): tf.Tensor4D => {
      const z = gan.sampleZ(n);
      try {
        return gan.sample(z, null);
      } finally {
        z.dispose();
      }
    };
    const fid0 = await fid(fromGan);
    const tFid0 = Date.now();

    const it = dataset.batches('train', { batchSize: built.options.batch_size, seed: 3, repeat: true, dropRemainder: true });
    for (let step = 0; step < STEPS; step++) {
      const batch = (await it.next()).value;
      try {
        gan.trainStep([batch], step);
      } finally {
        tf.dispose([batch.images, batch.labels, batch.labelled]);
      }
    }
    await it.return?.();
    const tTrain = Date.now();
    const fidN = await fid(fromGan);

    const real = dataset.batches('train', { batchSize: 100, seed: 11, repeat: true, dropRemainder: true });
    const fromTrain = async (n: number): Promise<tf.Tensor4D> => {
      const b = (await real.next()).value;
      tf.dispose([b.labels, b.labelled]);
      const x = tf.slice(b.images, 0, n) as tf.Tensor4D;
      b.images.dispose();
      return x;
    };
    const fidReal = await fid(fromTrain);
    await real.return?.();

    // eslint-disable-next-line no-console
    console.log(
      `build ${((tBuilt - t0) / 1000).toFixed(0)} s; classifier acc ${trained.meta.testAccuracy.toFixed(3)} (${((tClassifier - tBuilt) / 1000).toFixed(0)} s); ` +
        `FID step 0 ${fid0.toFixed(2)}, step ${STEPS} ${fidN.toFixed(2)} (eval ${((tFid0 - tClassifier) / 1000).toFixed(0)} s, train ${((tTrain - tFid0) / 1000).toFixed(0)} s), real test vs train ${fidReal.toFixed(2)}; total ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
    for (const v of [fid0, fidN, fidReal]) expect(Number.isFinite(v)).toBe(true);
    // Training must clearly help: at least a third off the step-0 FID.
    expect(fidN).toBeLessThan(0.67 * fid0);
    // Real vs real is far below both.
    expect(fidReal).toBeLessThan(0.25 * fidN);
  } finally {
    disposeRun(built);
  }
});
