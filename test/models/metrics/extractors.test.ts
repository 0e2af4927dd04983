import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as fs from 'fs';
import * as path from 'path';
import { config, parseConfig } from '@cgan/config-lang';
import {
  ClassifierExtractor,
  createDataset,
  evaluateGenerator,
  fileSaveHandler,
  FeatureExtractor,
  InMemoryDataset,
  loadClassifierExtractor,
  loadFeatureExtractor,
  MetricName,
  readClassifierMeta,
  tfjsModel,
} from '@cgan/models';
import { main } from '@cgan/runner';
import { tmpDir } from './python';

const quietIo = () => {
  let out = '';
  let err = '';
  return { io: { out: (s: string) => void (out += s), err: (s: string) => void (err += s), progressStream: process.stderr }, get out() { return out; }, get err() { return err; } };
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Real images of a dataset split as a sampler (a "perfect generator"), or noise. */
function realSampler(ds: InMemoryDataset, split: 'train' | 'test') {
  const d = ds.data(split);
  const [h, w, c] = ds.info.imageShape;
  const per = h * w * c;
  let next = 0;
  return (n: number) => {
    const out = new Float32Array(n * per);
    for (let i = 0; i < n; i++, next++) for (let j = 0; j < per; j++) out[i * per + j] = d.images[(next % d.labels.length) * per + j] / 255;
    return tf.tensor4d(out, [n, h, w, c]);
  };
}

describe('domain classifier and evaluateGenerator', () => {
  const dir = tmpDir();
  const clfDir = path.join(dir, 'clf');
  let ds: InMemoryDataset;
  let ex: ClassifierExtractor;

  beforeAll(async () => {
    ds = await createDataset({ overrides: { name: 'shapes', num_train_examples: 400, num_test_examples: 300, resolution: 16 } });
  });
  afterAll(() => {
    ex?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gan train-classifier trains, prints and stores its test accuracy', async () => {
    const c = quietIo();
    const code = await main(['node', 'gan', 'train-classifier', '--dataset', 'shapes', '--out', clfDir, '--backend', 'auto', '--epochs', '3', '--train_examples', '400', '--batch_size', '32', '--conv_filters', '4,8', '--dense_units', '16', '--quiet'], c.io);
    // shapes at its default 32x32 (the CLI has no --resolution): check files and metadata.
    expect(c.err).toBe('');
    expect(code).toBe(0);
    expect(c.out).toMatch(/shapes classifier: test accuracy \d+\.\d\d% on \d+ test images/);
    for (const f of ['model.json', 'weights.bin', 'classifier.json']) expect(fs.existsSync(path.join(clfDir, f))).toBe(true);
    const meta = readClassifierMeta(clfDir);
    expect(meta.dataset).toBe('shapes');
    expect(meta.featureDim).toBe(16);
    expect(meta.testAccuracy).toBeGreaterThan(1 / meta.numClasses + 0.15); // well above chance
    expect(c.out).toContain(`${(meta.testAccuracy * 100).toFixed(2)}%`);
  });

  it('loads as a feature extractor through the bindings (metrics.domain_classifier)', async () => {
    config.clear();
    parseConfig(`metrics.domain_classifier.classifier_dir = '${clfDir}'`);
    const e = (await loadFeatureExtractor('shapes')) as ClassifierExtractor;
    config.clear();
    // The name carries the weights' fingerprint, and so do the metric names.
    expect(e.name).toBe(`shapes-classifier@${readClassifierMeta(clfDir).fingerprint.slice(0, 8)}`);
    // The saved model's two heads equal a fresh load's prediction.
    const again = await loadClassifierExtractor(clfDir);
    const x = tf.randomUniform([3, 32, 32, 3]) as tf.Tensor4D;
    const a = e.extract(x);
    const b = again.extract(x);
    expect(a.features.shape).toEqual([3, 16]);
    expect(a.logits!.shape).toEqual([3, e.numClasses]);
    expect(Array.from(a.features.dataSync())).toEqual(Array.from(b.features.dataSync()));
    const direct = e.model.predict(x) as tf.Tensor;
    expect(Array.from(a.logits!.dataSync())).toEqual(Array.from(direct.dataSync()));
    // Smaller images are resized to the classifier's input.
    expect(e.extract(tf.zeros([2, 16, 16, 3]) as tf.Tensor4D).features.shape).toEqual([2, 16]);
    again.dispose();
    ex = e;
  });

  it('scores real-vs-real far better than noise, caches the real statistics and names metrics by extractor', async () => {
    const cache = path.join(dir, 'cache');
    const logs: string[] = [];
    const common = { dataset: ds, extractor: ex as FeatureExtractor, num_samples: 200, batch_size: 50, cache_dir: cache, ms_ssim_num_images: 8, metrics: ['fid', 'kid', 'inception_score', 'prd', 'ms_ssim'] as MetricName[], log: (m: string) => logs.push(m) };
    const good = await evaluateGenerator({ ...common, sample: realSampler(ds, 'train') });
    const tag = ex.name;
    expect(Object.keys(good).sort()).toEqual(
      ['fid', 'inception_score', 'inception_score_std', 'kid', 'kid_std', 'prd_f1_8', 'prd_f8'].map((k) => `${k}[${tag}]`).concat('ms_ssim').sort(),
    );
    expect(fs.readdirSync(cache).filter((f) => f.endsWith('.npy')).length).toBe(3);
    const noise = await evaluateGenerator({ ...common, sample: (n) => tf.randomUniform([n, 16, 16, 3]) as tf.Tensor4D });
    expect(logs.some((l) => l.includes('from cache'))).toBe(true);
    const fid = `fid[${tag}]`;
    expect(good[fid]).toBeLessThan(noise[fid] / 5);
    expect(good[`kid[${tag}]`]).toBeLessThan(noise[`kid[${tag}]`]);
    expect(good[`prd_f8[${tag}]`]).toBeGreaterThan(noise[`prd_f8[${tag}]`]);
    // Cached and uncached real statistics agree exactly.
    const uncached = await evaluateGenerator({ ...common, cache_dir: null, metrics: ['fid'], sample: realSampler(ds, 'train') });
    expect(uncached[fid]).toBeCloseTo(good[fid], 6);
    expect(() => evaluateGenerator({ ...common, metrics: ['swd' as 'fid'], sample: realSampler(ds, 'train') })).rejects.toThrow(/swd/);
  });
});

describe('metrics.tfjs_model (a converted model from a local directory)', () => {
  it('loads a layers model and exposes the named feature and logit layers', async () => {
    const dir = tmpDir();
    const input = tfl.input({ shape: [8, 8, 3] });
    const flat = tfl.layers.flatten().apply(input) as tfl.SymbolicTensor;
    const feat = tfl.layers.dense({ units: 5, activation: 'relu', name: 'pool' }).apply(flat) as tfl.SymbolicTensor;
    const logits = tfl.layers.dense({ units: 3, activation: 'softmax', name: 'predictions' }).apply(feat) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: logits });
    await model.save(fileSaveHandler(dir));
    const ex = await tfjsModel({ model_dir: `file://${dir}`, name: 'toy', input_size: 8, feature_node: 'pool', logits_node: 'predictions', logits_are_probabilities: true, input_range: [-1, 1] });
    expect([ex.featureDim, ex.numClasses, ex.name]).toEqual([5, 3, 'toy']);
    const x = tf.randomUniform([2, 4, 4, 1]) as tf.Tensor4D; // resized to 8x8, gray -> RGB, [0,1] -> [-1,1]
    const out = ex.extract(x);
    const prepared = tf.sub(tf.mul(tf.tile(tf.image.resizeBilinear(x, [8, 8]), [1, 1, 1, 3]), 2), 1);
    const probs = model.predict(prepared) as tf.Tensor;
    expect(Array.from(out.logits!.dataSync())).toEqual(Array.from(tf.log(probs).dataSync()).map((v) => expect.closeTo(v, 5)));
    expect(out.features.shape).toEqual([2, 5]);
    await expect(tfjsModel({ model_dir: dir, feature_node: 'nope', input_size: 8 })).rejects.toThrow(/no layer 'nope'/);
    await expect(tfjsModel({ model_dir: path.join(dir, 'missing') })).rejects.toThrow(/no model\.json.*README/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
