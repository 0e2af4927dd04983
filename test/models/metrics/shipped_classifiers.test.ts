/**
 * The shipped domain classifiers (packages/models/classifiers, issue 13): `metrics.domain_classifier`
 * finds them with no training step and no binding, the metric names carry their fingerprint,
 * damaged weights are refused, and `train-classifier --no-native_kernels` reproduces its
 * fingerprint bit for bit (a tiny classifier here; the shipped ones are checked the same way by hand,
 * see packages/models/classifiers/README.md).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { config } from '@cgan/config-lang';
import { ClassifierExtractor, classifierSearchPath, loadClassifierExtractor, loadFeatureExtractor, quietCpuBackend, readClassifierMeta, SHIPPED_CLASSIFIERS_DIR } from '@cgan/models';
import { main } from '../../../packages/runner/src/cli';

const quietIo = () => ({ out: () => undefined, err: () => undefined, progressStream: process.stderr });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipped-clf-'));
const savedEnv = process.env.GAN_CLASSIFIER_DIR;

beforeAll(async () => {
  delete process.env.GAN_CLASSIFIER_DIR;
  await tf.setBackend('cpu');
  quietCpuBackend();
});
afterAll(() => {
  if (savedEnv !== undefined) process.env.GAN_CLASSIFIER_DIR = savedEnv;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.each(['fashion-mnist', 'shapes'])('the shipped %s classifier', (dataset) => {
  const shipped = path.join(SHIPPED_CLASSIFIERS_DIR, dataset);

  it('is in the repository with its fingerprint, kernels and the command that trains it', () => {
    const meta = readClassifierMeta(shipped);
    expect(meta.dataset).toBe(dataset);
    expect(meta.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(meta.kernels).toBe('xnnpack');
    expect(meta.command).toMatch(new RegExp(`^gan train-classifier --dataset ${dataset} .*--backend wasm --no-native_kernels`));
    expect(meta.interrupted).toBeUndefined();
    expect(fs.statSync(path.join(shipped, 'weights.bin')).size).toBeLessThan(1.5e6);
  });

  it('is what metrics.domain_classifier loads with no binding, named with its fingerprint', async () => {
    config.clear();
    expect(classifierSearchPath(dataset)[0]).toBe(shipped);
    const ex = (await loadFeatureExtractor(dataset)) as ClassifierExtractor;
    const meta = readClassifierMeta(shipped);
    expect(ex.name).toBe(`${dataset}-classifier@${meta.fingerprint.slice(0, 8)}`);
    expect(ex.fingerprint).toBe(meta.fingerprint);
    expect(ex.accuracy).toBeGreaterThan(0.8);
    const out = ex.extract(tf.zeros([2, ...meta.imageShape]) as tf.Tensor4D);
    expect(out.features.shape).toEqual([2, meta.featureDim]);
    ex.dispose();
  });
});

test('$GAN_CLASSIFIER_DIR, when set, is the only place looked in', () => {
  process.env.GAN_CLASSIFIER_DIR = dir;
  try {
    expect(classifierSearchPath('shapes')).toEqual([path.join(dir, 'shapes')]);
  } finally {
    delete process.env.GAN_CLASSIFIER_DIR;
  }
});

test('weights that do not match the recorded fingerprint are refused with the way out', async () => {
  const copy = path.join(dir, 'damaged');
  fs.cpSync(path.join(SHIPPED_CLASSIFIERS_DIR, 'shapes'), copy, { recursive: true });
  const w = fs.readFileSync(path.join(copy, 'weights.bin'));
  w[100] ^= 1;
  fs.writeFileSync(path.join(copy, 'weights.bin'), w);
  await expect(loadClassifierExtractor(copy)).rejects.toThrow(/is damaged: weights.bin has fingerprint [0-9a-f]{16}, classifier.json records [0-9a-f]{16}; restore the files .* or train it again with: gan train-classifier --dataset shapes/);
});

test('train-classifier --backend wasm --no-native_kernels gives the same fingerprint twice', async () => {
  const fps: string[] = [];
  for (const out of ['a', 'b'].map((n) => path.join(dir, n))) {
    const args = ['train-classifier', '--dataset', 'shapes', '--out', out, '--backend', 'wasm', '--no-native_kernels', '--epochs', '1', '--train_examples', '64', '--test_examples', '16', '--batch_size', '16', '--conv_filters', '4', '--dense_units', '8', '--seed', '3', '--quiet'];
    let err = '';
    const code = await main(['node', 'gan', ...args], { ...quietIo(), err: (s: string) => void (err += s) });
    expect({ code, err: code === 0 ? '' : err }).toEqual({ code: 0, err: '' }); // the error text on failure
    const meta = readClassifierMeta(out);
    expect(meta.kernels).toBe('xnnpack');
    expect(meta.command).toBe('gan train-classifier --dataset shapes --epochs 1 --train_examples 64 --test_examples 16 --batch_size 16 --learning_rate 0.001 --conv_filters 4 --dense_units 8 --seed 3 --backend wasm --no-native_kernels --out DIR');
    fps.push(meta.fingerprint);
  }
  expect(fps[0]).toBe(fps[1]);
});
