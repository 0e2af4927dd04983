/** The linear probe: learns separable features, stays at chance on shuffled labels, standardises, reads datasets. */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { config } from '@cgan/config-lang';
import { collectFeatures, columnStats, encoderMetrics, FeatureExtractor, InMemoryDataset, LabelledFeatures, linearProbeAccuracy, probeFeatureFn, reconstructionAgreement, Rng } from '@cgan/models';
import { buildBigBiGAN, disposeAll } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => {
  disposeAll();
  config.clear();
});

/** k Gaussian blobs in d dimensions, centres `sep` apart along distinct axes; column 0 scaled by `scale0`. */
function blobs(n: number, k: number, d: number, sep: number, seed: number, scale0 = 1): LabelledFeatures {
  const rng = new Rng(seed);
  const data = new Float32Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    labels[i] = c;
    for (let j = 0; j < d; j++) data[i * d + j] = rng.normal() + (j === c ? sep : 0);
    data[i * d] *= scale0;
  }
  return { features: { rows: n, cols: d, data }, labels };
}

const FAST = { epochs: 20, batch_size: 64, learning_rate: 0.05 };

test('separable features: test accuracy near 1 (and well above chance)', () => {
  const r = linearProbeAccuracy(blobs(600, 4, 10, 6, 1), blobs(200, 4, 10, 6, 2), 4, FAST);
  expect(r.accuracy).toBeGreaterThan(0.97);
  expect(r.trainAccuracy).toBeGreaterThan(0.97);
});

test('overlapping features: accuracy drops; shuffled labels: chance level', () => {
  const easy = linearProbeAccuracy(blobs(600, 4, 10, 6, 1), blobs(400, 4, 10, 6, 2), 4, FAST).accuracy;
  const hard = linearProbeAccuracy(blobs(600, 4, 10, 0.5, 1), blobs(400, 4, 10, 0.5, 2), 4, FAST).accuracy;
  expect(hard).toBeLessThan(easy - 0.2);
  const train = blobs(600, 4, 10, 6, 3);
  const perm = new Rng(9).permutation(600);
  const shuffled = { features: train.features, labels: Int32Array.from(perm, (p) => train.labels[p]) };
  const chance = linearProbeAccuracy(shuffled, blobs(400, 4, 10, 6, 4), 4, FAST).accuracy;
  expect(chance).toBeGreaterThan(0.1);
  expect(chance).toBeLessThan(0.4);
});

test('standardisation: a feature on a 1e4 scale (and a constant one) do not break training', () => {
  const train = blobs(600, 3, 6, 5, 5, 1e4);
  const test = blobs(300, 3, 6, 5, 6, 1e4);
  for (const m of [train, test]) for (let i = 0; i < m.features.rows; i++) m.features.data[i * 6 + 5] = 42;
  const { mean, std } = columnStats(train.features);
  expect(mean[5]).toBeCloseTo(42, 4);
  expect(std[5]).toBe(1);
  expect(std[0]).toBeGreaterThan(1000);
  expect(linearProbeAccuracy(train, test, 3, FAST).accuracy).toBeGreaterThan(0.95);
});

test('tiny-scale features (a randomly initialised network\'s, ~1e-8) are standardised, not dropped as constant', () => {
  const scale = (m: LabelledFeatures) => ({ ...m, features: { ...m.features, data: Float32Array.from(m.features.data, (v) => v * 1e-8) } });
  const r = linearProbeAccuracy(scale(blobs(600, 4, 10, 6, 1)), scale(blobs(200, 4, 10, 6, 2)), 4, FAST);
  expect(r.accuracy).toBeGreaterThan(0.97);
});

test('bad input is named', () => {
  const good = blobs(20, 2, 3, 5, 1);
  expect(() => linearProbeAccuracy({ ...good, labels: good.labels.slice(1) }, good, 2)).toThrow(/20 feature rows but 19 labels/);
  const nan = blobs(20, 2, 3, 5, 1);
  nan.features.data[4] = NaN;
  expect(() => linearProbeAccuracy(nan, good, 2)).toThrow(/features contain NaN/);
  expect(() => linearProbeAccuracy(good, good, 2, { epochs: 0 })).toThrow(/linear_probe.epochs must be a positive integer/);
  expect(() => linearProbeAccuracy(good, good, 1)).toThrow(/at least 2 classes/);
});

/** A labelled image dataset whose class is the image brightness (0.2, 0.5, 0.8 + noise). */
function brightnessDataset(nTrain: number, nTest: number, labelledTrain?: Uint8Array): InMemoryDataset {
  const rng = new Rng(3);
  const make = (n: number) => {
    const images = new Uint8Array(n * 16);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 3;
      for (let p = 0; p < 16; p++) images[i * 16 + p] = Math.max(0, Math.min(255, Math.round(255 * (0.2 + 0.3 * labels[i] + 0.05 * rng.normal()))));
    }
    return { images, labels };
  };
  const train = { ...make(nTrain), ...(labelledTrain ? { labelled: labelledTrain } : {}) };
  return new InMemoryDataset({ name: 'brightness', imageShape: [4, 4, 1], numClasses: 3, numExamples: { train: nTrain, test: nTest } }, { train, test: make(nTest) });
}

test('collectFeatures reads labelled examples only, in order, up to the limit', async () => {
  const labelled = new Uint8Array(30).fill(1);
  labelled[1] = 0;
  const ds = brightnessDataset(30, 9, labelled);
  const f = await collectFeatures((x) => tf.reshape(tf.mean(x, [1, 2, 3]), [-1, 1]) as tf.Tensor2D, ds, 'train', 10, 4);
  expect(f.features.rows).toBe(10);
  expect(f.features.cols).toBe(1);
  expect(Array.from(f.labels)).toEqual([0, 2, 0, 1, 2, 0, 1, 2, 0, 1]);
});

test('probeFeatureFn: mean brightness separates the brightness classes', async () => {
  const ds = brightnessDataset(300, 90);
  const r = await probeFeatureFn((x) => tf.reshape(tf.mean(x, [1, 2, 3]), [-1, 1]) as tf.Tensor2D, ds, FAST);
  expect(r.accuracy).toBeGreaterThan(0.95);
  expect(r.numTrain).toBe(300);
  expect(r.numTest).toBe(90);
});

/** A stand-in domain classifier of the brightness classes: logits -(brightness - centre)^2. */
const brightnessClassifier: FeatureExtractor = {
  name: 'brightness-classifier@test',
  fingerprint: 'test',
  featureDim: 1,
  numClasses: 3,
  extract: (images) =>
    tf.tidy(() => {
      const b = tf.reshape(tf.mean(images, [1, 2, 3]), [-1, 1]) as tf.Tensor2D;
      return { features: b, logits: tf.neg(tf.square(tf.sub(b, tf.tensor2d([[0.2, 0.5, 0.8]])))) as tf.Tensor2D };
    }),
  dispose: () => undefined,
};

test('encoderMetrics: probe on E and on pixels; reconstruction class agreement by the classifier (1 for an identity G(E(x)), ~chance for a constant one)', async () => {
  const ds = brightnessDataset(60, 30);
  const { gan } = buildBigBiGAN('', ds.info);
  const logs: string[] = [];
  const m = await encoderMetrics(gan, { dataset: ds, log: (s) => logs.push(s) }, null, { ...FAST, epochs: 5 });
  expect(Object.keys(m).sort()).toEqual(['linear_probe_accuracy', 'linear_probe_accuracy_pixels']);
  for (const v of Object.values(m)) expect(v >= 0 && v <= 1).toBe(true);
  expect(m.linear_probe_accuracy_pixels).toBeGreaterThan(0.9); // brightness is linear in the pixels
  expect(logs.join('\n')).toMatch(/60 train \/ 30 test examples/);
  const identity = { encodeFeatures: (x: tf.Tensor4D) => tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D, reconstruct: (x: tf.Tensor4D) => tf.clone(x) };
  const a = await reconstructionAgreement(identity, ds, brightnessClassifier, 30, 7);
  expect(a).toEqual({ agreement: 1, labelAccuracy: 1, n: 30 });
  const grey = { ...identity, reconstruct: (x: tf.Tensor4D) => tf.fill(x.shape, 0.5) as tf.Tensor4D };
  const g = await reconstructionAgreement(grey, ds, brightnessClassifier, 30);
  expect(g.agreement).toBeCloseTo(1 / 3, 1); // every reconstruction is class 1
  const withClassifier = await encoderMetrics(identity, { dataset: ds }, brightnessClassifier, { ...FAST, epochs: 2, num_test_examples: 12 });
  expect(withClassifier['reconstruction_class_agreement[brightness-classifier@test]']).toBe(1);
  expect(withClassifier['reconstruction_label_accuracy[brightness-classifier@test]']).toBe(1);
});

test('BigBiGAN offers them as extraMetrics (no classifier for a dataset without one: logged, skipped)', async () => {
  const ds = brightnessDataset(30, 12);
  const { gan } = buildBigBiGAN('linear_probe.epochs = 2\n', ds.info);
  const logs: string[] = [];
  const m = await gan.extraMetrics({ dataset: ds, rng: new Rng(0), log: (s) => logs.push(s) });
  expect(Object.keys(m).sort()).toEqual(['linear_probe_accuracy', 'linear_probe_accuracy_pixels']);
  expect(logs.join('\n')).toMatch(/reconstruction class agreement skipped: no domain classifier for brightness/);
});
