import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { config } from '@cgan/config-lang';
import { createDataset, InMemoryDataset } from '@cgan/models';
import { isolatedEnv, tmpDir, withEnv } from './helpers';

const DEBIAN = '/usr/share/datasets/fashion-mnist';
let ds: InMemoryDataset;

beforeAll(async () => {
  await tf.setBackend('cpu');
  config.bind([], 'dataset', 'name', 'fashion-mnist');
  config.bind([], 'dataset', 'download', false);
  ds = await withEnv(isolatedEnv(tmpDir('cache')), () => createDataset({ seed: 1 }));
});
afterAll(() => config.clear());

test('Fashion-MNIST loads from the Debian package with the known sizes', () => {
  expect(ds.info.source).toBe(DEBIAN);
  expect(ds.info.imageShape).toEqual([28, 28, 1]);
  expect(ds.info.numClasses).toBe(10);
  expect(ds.info.numExamples).toEqual({ train: 60000, test: 10000 });
  expect(ds.info.classNames?.[9]).toBe('Ankle boot');
  for (const split of ['train', 'test'] as const) {
    const { images, labels } = ds.data(split);
    expect(images.length).toBe(ds.info.numExamples[split] * 784);
    // Fashion-MNIST is balanced: 6000 / 1000 examples per class.
    const counts = new Array(10).fill(0);
    for (const l of labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(split === 'train' ? 6000 : 1000));
  }
  // Real image content, not zeros: the mean pixel of Fashion-MNIST is about 0.286.
  const { images } = ds.data('train');
  let sum = 0;
  for (let i = 0; i < images.length; i += 97) sum += images[i];
  expect(sum / Math.ceil(images.length / 97) / 255).toBeCloseTo(0.286, 1);
});

test('batches are float32 NHWC in [0, 1] with int32 labels', async () => {
  const it = ds.batches('train', { batchSize: 32, seed: 3, repeat: true });
  const { value: b } = await it.next();
  await it.return!(undefined);
  expect(b.images.shape).toEqual([32, 28, 28, 1]);
  expect(b.images.dtype).toBe('float32');
  expect(b.labels.dtype).toBe('int32');
  expect(b.labelled.dataSync()).toEqual(new Float32Array(32).fill(1));
  const px = b.images.dataSync();
  expect(Math.min(...px)).toBeGreaterThanOrEqual(0);
  expect(Math.max(...px)).toBeLessThanOrEqual(1);
  expect(Math.max(...px)).toBeGreaterThan(0.9);
  const labels = b.labels.dataSync();
  expect(Math.min(...labels)).toBeGreaterThanOrEqual(0);
  expect(Math.max(...labels)).toBeLessThanOrEqual(9);
  tf.dispose([b.images, b.labels, b.labelled]);
});

test('labels.fraction = 0.1 keeps exactly 600 labels per class, the same ones in every run', async () => {
  config.bind([], 'labels', 'fraction', 0.1);
  try {
    const env = isolatedEnv(tmpDir('cache'));
    const a = await withEnv(env, () => createDataset({ seed: 1 }));
    const b = await withEnv(env, () => createDataset({ seed: 1 }));
    const c = await withEnv(env, () => createDataset({ seed: 2 }));
    const mask = a.data('train').labelled!;
    const labels = a.data('train').labels;
    const perClass = new Array(10).fill(0);
    mask.forEach((m, i) => (perClass[labels[i]] += m));
    expect(perClass).toEqual(new Array(10).fill(600));
    expect(a.info.labelFraction).toBe(0.1);
    expect(b.data('train').labelled).toEqual(mask);
    expect(c.data('train').labelled).not.toEqual(mask);
    // The test split keeps all its labels.
    expect(a.data('test').labelled).toBeUndefined();
  } finally {
    config.clear();
    config.bind([], 'dataset', 'name', 'fashion-mnist');
    config.bind([], 'dataset', 'download', false);
  }
});
