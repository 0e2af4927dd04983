/**
 * The project's own feature extractor: a small convnet trained on the dataset being
 * generated (`gan train-classifier --dataset fashion-mnist`). Its penultimate dense layer
 * ("features") gives the features for FID/KID/PRD and its last layer ("logits") the class
 * logits for the Inception Score. Saved as a TF.js layers model (model.json + weights.bin)
 * with classifier.json beside it recording the dataset, the image shape, the test accuracy,
 * the fingerprint of weights.bin and the command that reproduces it.
 *
 * Shipped classifiers (packages/models/classifiers/<dataset>, see its README) make FIDs
 * comparable between machines: metric names carry the fingerprint, `fid[fashion-mnist-classifier@7cfeae34]`.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { configurable, t } from '@cgan/config-lang';
import { Rng } from '../../core/rng';
import { SplitData } from '../../datasets/in_memory';
import { fileLoadHandler, fileSaveHandler } from './fs_io';
import { FeatureExtractor, prepareImages } from './types';

export const CLASSIFIER_DIR_ENV = 'GAN_CLASSIFIER_DIR';

/** Where `train-classifier` saves by default: $GAN_CLASSIFIER_DIR/<dataset> or ~/.cache/compare-gan-js/classifiers/<dataset>. */
export function defaultClassifierDir(dataset: string): string {
  const root = process.env[CLASSIFIER_DIR_ENV] || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'compare-gan-js', 'classifiers');
  return path.join(root, dataset);
}

/** The classifiers shipped in the repository: packages/models/classifiers (from src/ and dist/ alike). */
export const SHIPPED_CLASSIFIERS_DIR = path.resolve(__dirname, '..', '..', '..', 'classifiers');

/**
 * Where the extractor looks for `dataset`'s classifier, in order (the first holding
 * classifier.json wins): only $GAN_CLASSIFIER_DIR/<dataset> when that variable is set, else the
 * shipped packages/models/classifiers/<dataset>, then ~/.cache/compare-gan-js/classifiers/<dataset>.
 */
export function classifierSearchPath(dataset: string): string[] {
  if (process.env[CLASSIFIER_DIR_ENV]) return [defaultClassifierDir(dataset)];
  return [path.join(SHIPPED_CLASSIFIERS_DIR, dataset), defaultClassifierDir(dataset)];
}

export interface ClassifierMeta {
  dataset: string;
  imageShape: [number, number, number];
  numClasses: number;
  featureDim: number;
  testAccuracy: number;
  testExamples: number;
  trainExamples: number;
  epochs: number;
  seconds: number;
  backend: string;
  /** Convolution/matMul kernels of the wasm backend: 'xnnpack' (wasm SIMD: the same floats wherever the same tfjs-backend-wasm runs) or 'openblas <core>' (floats depend on the CPU's kernel family). */
  kernels?: string;
  /** The command line that trains these weights again (same fingerprint when kernels is 'xnnpack'). */
  command?: string;
  /** Set when training was stopped early (Ctrl-C): steps done of those planned. */
  interrupted?: { steps: number; of: number };
  /** sha256 of weights.bin (first 16 hex digits). */
  fingerprint: string;
  created: string;
}

export interface ClassifierArchitecture {
  conv_filters: number[];
  dense_units: number;
}

/** conv(3x3, relu) + maxpool per entry of conv_filters, then dense(relu) "features" and dense "logits". */
export function buildClassifier(imageShape: [number, number, number], numClasses: number, arch: ClassifierArchitecture, seed: number): tfl.LayersModel {
  const rng = new Rng(seed >>> 0);
  const init = () => tfl.initializers.glorotUniform({ seed: rng.nextSeed() });
  const input = tfl.input({ shape: imageShape, name: 'images' });
  let x = input as tfl.SymbolicTensor;
  arch.conv_filters.forEach((f, i) => {
    x = tfl.layers.conv2d({ filters: f, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(), name: `conv${i + 1}` }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.maxPooling2d({ poolSize: 2, name: `pool${i + 1}` }).apply(x) as tfl.SymbolicTensor;
  });
  x = tfl.layers.flatten({ name: 'flatten' }).apply(x) as tfl.SymbolicTensor;
  const features = tfl.layers.dense({ units: arch.dense_units, activation: 'relu', kernelInitializer: init(), name: 'features' }).apply(x) as tfl.SymbolicTensor;
  const logits = tfl.layers.dense({ units: numClasses, kernelInitializer: init(), name: 'logits' }).apply(features) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits, name: 'domain_classifier' });
}

function toBatch(split: SplitData, idx: ArrayLike<number>, shape: [number, number, number]): tf.Tensor4D {
  const per = shape[0] * shape[1] * shape[2];
  const out = new Float32Array(idx.length * per);
  for (let i = 0; i < idx.length; i++) {
    const src = idx[i] * per;
    for (let j = 0; j < per; j++) out[i * per + j] = split.images[src + j] / 255;
  }
  return tf.tensor4d(out, [idx.length, ...shape]);
}

export interface TrainClassifierOptions {
  dataset: string;
  imageShape: [number, number, number];
  numClasses: number;
  train: SplitData;
  test: SplitData;
  /** Training examples used (a random subset when fewer than the split has). */
  train_examples: number;
  epochs: number;
  batch_size: number;
  learning_rate: number;
  /** Test examples used to measure accuracy (all when larger). */
  test_examples: number;
  seed: number;
  arch: ClassifierArchitecture;
  log?: (msg: string) => void;
  /** Polled after every step: true stops training there (the model trained so far is returned). */
  shouldStop?: () => boolean;
}

export interface TrainedClassifier {
  model: tfl.LayersModel;
  meta: Omit<ClassifierMeta, 'fingerprint' | 'created'>;
}

/** Accuracy of a logits model over examples `idx` of a split, in batches. */
export function evaluateAccuracy(model: tfl.LayersModel, split: SplitData, idx: ArrayLike<number>, shape: [number, number, number], batchSize = 256): number {
  let correct = 0;
  for (let s = 0; s < idx.length; s += batchSize) {
    const part = Array.from({ length: Math.min(batchSize, idx.length - s) }, (_, i) => idx[s + i]);
    const pred = tf.tidy(() => {
      const x = toBatch(split, part, shape);
      return tf.argMax(model.predict(x) as tf.Tensor2D, 1);
    });
    const p = pred.dataSync();
    pred.dispose();
    for (let i = 0; i < part.length; i++) if (p[i] === split.labels[part[i]]) correct++;
  }
  return correct / idx.length;
}

/** Trains the classifier with Adam on softmax cross-entropy; returns it and its test accuracy. */
export async function trainClassifier(o: TrainClassifierOptions): Promise<TrainedClassifier> {
  const start = Date.now();
  const rng = new Rng(o.seed >>> 0);
  const model = buildClassifier(o.imageShape, o.numClasses, o.arch, rng.nextSeed());
  model.compile({ optimizer: tf.train.adam(o.learning_rate), loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred) });
  const nTrain = Math.min(o.train_examples, o.train.labels.length);
  const subset = rng.permutation(o.train.labels.length).subarray(0, nTrain);
  const steps = Math.floor(nTrain / o.batch_size);
  if (steps < 1) throw new Error(`train-classifier: ${nTrain} training examples are fewer than one batch of ${o.batch_size}`);
  const totalSteps = steps * o.epochs;
  let done = 0;
  let stopped = false;
  const eta = () => {
    const sec = ((Date.now() - start) / 1000 / Math.max(done, 1)) * (totalSteps - done);
    const m = Math.floor(sec / 60);
    return m ? `${m}m${String(Math.round(sec % 60)).padStart(2, '0')}s` : `${Math.round(sec)}s`;
  };
  for (let epoch = 0; epoch < o.epochs && !stopped; epoch++) {
    const order = rng.permutation(nTrain);
    let lossSum = 0;
    for (let s = 0; s < steps; s++) {
      const idx = Array.from({ length: o.batch_size }, (_, i) => subset[order[s * o.batch_size + i]]);
      const x = toBatch(o.train, idx, o.imageShape);
      const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(idx.map((i) => o.train.labels[i]), 'int32'), o.numClasses), 'float32'));
      const loss = (await model.trainOnBatch(x, y)) as number;
      x.dispose();
      y.dispose();
      lossSum += loss;
      done++;
      if ((s + 1) % 50 === 0 || s === steps - 1) o.log?.(`epoch ${epoch + 1}/${o.epochs} step ${s + 1}/${steps} loss ${(lossSum / (s + 1)).toFixed(4)} ETA ${eta()}`);
      if (o.shouldStop?.()) {
        stopped = true;
        o.log?.(`stopped after ${done} of ${totalSteps} steps`);
        break;
      }
    }
  }
  const nTest = Math.min(o.test_examples, o.test.labels.length);
  const testIdx = Int32Array.from({ length: nTest }, (_, i) => i);
  const acc = evaluateAccuracy(model, o.test, testIdx, o.imageShape);
  const featureDim = o.arch.dense_units;
  return {
    model,
    meta: {
      dataset: o.dataset,
      imageShape: o.imageShape,
      numClasses: o.numClasses,
      featureDim,
      testAccuracy: acc,
      testExamples: nTest,
      trainExamples: nTrain,
      epochs: o.epochs,
      seconds: (Date.now() - start) / 1000,
      backend: tf.getBackend(),
      ...(stopped ? { interrupted: { steps: done, of: totalSteps } } : {}),
    },
  };
}

function fingerprintOf(dir: string): string {
  return createHash('sha256').update(fs.readFileSync(path.join(dir, 'weights.bin'))).digest('hex').slice(0, 16);
}

/** Saves model.json, weights.bin and classifier.json into `dir`. */
export async function saveClassifier(dir: string, trained: TrainedClassifier): Promise<ClassifierMeta> {
  await trained.model.save(fileSaveHandler(dir));
  const meta: ClassifierMeta = { ...trained.meta, fingerprint: fingerprintOf(dir), created: new Date().toISOString() };
  fs.writeFileSync(path.join(dir, 'classifier.json'), JSON.stringify(meta, null, 2) + '\n');
  return meta;
}

export function readClassifierMeta(dir: string): ClassifierMeta {
  const file = path.join(dir, 'classifier.json');
  if (!fs.existsSync(file)) throw new Error(`no trained classifier in ${dir} (classifier.json missing)`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ClassifierMeta;
}

/** A FeatureExtractor over a trained domain classifier (features + logits in one pass). */
export class ClassifierExtractor implements FeatureExtractor {
  readonly name: string;
  readonly fingerprint: string;
  readonly featureDim: number;
  readonly numClasses: number;
  readonly accuracy?: number;
  private readonly twoHeaded: tfl.LayersModel;

  /** Named `<dataset>-classifier@<first 8 hex digits of the fingerprint>`: metric names carry it. */
  constructor(readonly model: tfl.LayersModel, readonly meta: Pick<ClassifierMeta, 'dataset' | 'imageShape' | 'numClasses' | 'featureDim' | 'fingerprint'>) {
    this.name = `${meta.dataset}-classifier@${meta.fingerprint.slice(0, 8)}`;
    this.fingerprint = meta.fingerprint;
    this.featureDim = meta.featureDim;
    this.numClasses = meta.numClasses;
    this.accuracy = (meta as Partial<ClassifierMeta>).testAccuracy;
    this.twoHeaded = tfl.model({ inputs: model.inputs, outputs: [model.getLayer('features').output as tfl.SymbolicTensor, model.getLayer('logits').output as tfl.SymbolicTensor] });
  }

  extract(images: tf.Tensor4D) {
    const [h, w, c] = this.meta.imageShape;
    return tf.tidy(() => {
      const x = prepareImages(images, { height: h, width: w, channels: c, range: [0, 1] });
      const [features, logits] = this.twoHeaded.predict(x) as tf.Tensor2D[];
      return { features, logits };
    });
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** Loads the classifier saved in `dir` as a FeatureExtractor; weights.bin must match the recorded fingerprint. */
export async function loadClassifierExtractor(dir: string): Promise<ClassifierExtractor> {
  const meta = readClassifierMeta(dir);
  const actual = fingerprintOf(dir);
  if (actual !== meta.fingerprint) {
    throw new Error(
      `the classifier in ${dir} is damaged: weights.bin has fingerprint ${actual}, classifier.json records ${meta.fingerprint}; ` +
        `restore the files (git checkout for a shipped classifier) or train it again${meta.command ? ` with: ${meta.command}` : ''}`,
    );
  }
  const model = await tfl.loadLayersModel(fileLoadHandler(dir));
  return new ClassifierExtractor(model, meta);
}

/**
 * `metrics.domain_classifier`: the extractor trained by `gan train-classifier --dataset NAME`.
 * `dataset` None means the run's dataset; `classifier_dir` None means defaultClassifierDir.
 */
export const domainClassifier = configurable('domain_classifier', {
  module: 'metrics',
  params: {
    dataset: { default: null, type: t.optional(t.string), doc: "None: the run's dataset" },
    classifier_dir: { default: null, type: t.optional(t.string), doc: 'None: $GAN_CLASSIFIER_DIR/<dataset> if set, else the shipped packages/models/classifiers/<dataset>, else ~/.cache/compare-gan-js/classifiers/<dataset>' },
  },
  doc: 'Feature extractor: the small convnet trained by `gan train-classifier` (shipped for fashion-mnist and shapes).',
}, async (kw: { dataset: string | null; classifier_dir: string | null; runDataset?: string }): Promise<FeatureExtractor> => {
  const dataset = kw.dataset ?? kw.runDataset;
  if (!dataset) throw new Error('metrics.domain_classifier: no dataset given; bind metrics.domain_classifier.dataset or pass the run dataset');
  const tried = kw.classifier_dir ? [kw.classifier_dir] : classifierSearchPath(dataset);
  const dir = tried.find((d) => fs.existsSync(path.join(d, 'classifier.json')));
  if (!dir) {
    throw new Error(`no domain classifier for '${dataset}' in ${tried.join(' or ')}; train one with: gan train-classifier --dataset ${dataset}${kw.classifier_dir ? ` --out ${kw.classifier_dir}` : ''}`);
  }
  return loadClassifierExtractor(dir);
}) as unknown as (kw: { dataset?: string | null; classifier_dir?: string | null; runDataset?: string }) => Promise<FeatureExtractor>;
