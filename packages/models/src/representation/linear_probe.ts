/**
 * Linear evaluation of a representation (BigBiGAN's Table 1 protocol, small): a softmax
 * regression trained with Adam on frozen features of the labelled train split, accuracy
 * measured on the test split. Features are standardised with the train split's per-feature mean
 * and standard deviation (constant features become 0; tiny-scale features are rescaled like any other).
 *
 * Settings: the configurable `linear_probe` (module `representation`), e.g.
 * `linear_probe.epochs = 30`, `linear_probe.num_train_examples = 10000`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, t } from '@cgan/config-lang';
import { Rng } from '../core/rng';
import { FeatureMatrix } from '../metrics/features';

export interface LinearProbeSettings {
  /** Labelled train examples used (at most the split's size). */
  num_train_examples: number;
  /** Test examples the accuracy is measured on (at most the split's size). */
  num_test_examples: number;
  epochs: number;
  learning_rate: number;
  batch_size: number;
  /** L2 weight decay on the weights (not the bias). */
  l2: number;
  /** What the probe reads from an encoder: its pooled 'features' or the latent mean 'mu'. */
  features: 'features' | 'mu';
  seed: number;
}

/** `linear_probe`: the probe's settings (bindings applied). */
export const linearProbeSettings = configurable(
  'linear_probe',
  {
    module: 'representation',
    params: {
      num_train_examples: { default: 10000, type: t.int, doc: 'labelled train examples the probe is fitted on' },
      num_test_examples: { default: 10000, type: t.int, doc: 'test examples the accuracy is measured on' },
      epochs: { default: 30, type: t.int },
      learning_rate: { default: 0.01, type: t.number, doc: 'Adam learning rate' },
      batch_size: { default: 256, type: t.int },
      l2: { default: 0.0, type: t.number, doc: 'weight decay on the weights' },
      features: { default: 'features', type: t.oneOf('features', 'mu'), doc: "the encoder's pooled features or its latent mean" },
      seed: { default: 0, type: t.int, doc: 'seeds the probe initialisation and minibatch order' },
    },
    doc: 'Linear evaluation of an encoder: softmax regression on frozen, standardised features.',
  },
  (kw: Partial<LinearProbeSettings>): LinearProbeSettings => {
    const s = kw as LinearProbeSettings;
    for (const k of ['num_train_examples', 'num_test_examples', 'epochs', 'batch_size'] as const) {
      if (!Number.isInteger(s[k]) || s[k] < 1) throw new Error(`linear_probe.${k} must be a positive integer, got ${s[k]}.`);
    }
    if (!(s.learning_rate > 0)) throw new Error(`linear_probe.learning_rate must be positive, got ${s.learning_rate}.`);
    if (!(s.l2 >= 0)) throw new Error(`linear_probe.l2 must be >= 0, got ${s.l2}.`);
    return s;
  },
) as unknown as (kw: Partial<LinearProbeSettings>) => LinearProbeSettings;

/** Labelled features: `features.rows` rows, `labels[i]` in 0..numClasses-1. */
export interface LabelledFeatures {
  features: FeatureMatrix;
  labels: Int32Array;
}

function checkLabelled(d: LabelledFeatures, what: string, numClasses: number): void {
  const { rows, cols, data } = d.features;
  if (data.length !== rows * cols) throw new Error(`${what}: feature matrix [${rows}, ${cols}] has ${data.length} values.`);
  if (d.labels.length !== rows) throw new Error(`${what}: ${rows} feature rows but ${d.labels.length} labels.`);
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) throw new Error(`${what}: features contain ${data[i]} (row ${Math.floor(i / cols)}); the encoder diverged or was given bad input.`);
  for (const l of d.labels) if (!(Number.isInteger(l) && l >= 0 && l < numClasses)) throw new Error(`${what}: label ${l} is outside 0..${numClasses - 1}.`);
}

/** A trained probe: standardisation statistics and the softmax layer. */
export class LinearProbe {
  constructor(
    readonly mean: Float32Array,
    readonly std: Float32Array,
    readonly weights: Float32Array,
    readonly bias: Float32Array,
    readonly numClasses: number,
  ) {}

  private standardised(m: FeatureMatrix): tf.Tensor2D {
    if (m.cols !== this.mean.length) throw new Error(`linear probe was trained on ${this.mean.length} features, got ${m.cols}.`);
    return tf.tidy(() => tf.div(tf.sub(tf.tensor2d(Float32Array.from(m.data), [m.rows, m.cols]), tf.tensor1d(this.mean)), tf.tensor1d(this.std)) as tf.Tensor2D);
  }

  /** Predicted classes. */
  predict(m: FeatureMatrix): Int32Array {
    const pred = tf.tidy(() => {
      const x = this.standardised(m);
      const logits = tf.add(tf.matMul(x, tf.tensor2d(this.weights, [m.cols, this.numClasses])), tf.tensor1d(this.bias));
      return tf.argMax(logits, 1);
    });
    const out = Int32Array.from(pred.dataSync());
    pred.dispose();
    return out;
  }

  /** Fraction of rows predicted correctly. */
  accuracy(d: LabelledFeatures): number {
    checkLabelled(d, 'linear probe evaluation', this.numClasses);
    if (d.features.rows === 0) throw new Error('linear probe evaluation: no examples.');
    const p = this.predict(d.features);
    let correct = 0;
    for (let i = 0; i < p.length; i++) if (p[i] === d.labels[i]) correct++;
    return correct / p.length;
  }
}

/** Per-column mean and standard deviation (std floored so constant features map to 0). */
export function columnStats(m: FeatureMatrix): { mean: Float32Array; std: Float32Array } {
  const mean = new Float64Array(m.cols);
  const sq = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) {
      const v = m.data[i * m.cols + j];
      mean[j] += v;
      sq[j] += v * v;
    }
  }
  const std = new Float32Array(m.cols);
  for (let j = 0; j < m.cols; j++) {
    mean[j] /= Math.max(1, m.rows);
    const variance = Math.max(0, sq[j] / Math.max(1, m.rows) - mean[j] * mean[j]);
    const s = Math.sqrt(variance);
    // Constant up to rounding (relative to its mean) -> scale 1, so the column standardises to 0.
    // Relative, not absolute: a randomly initialised network's features can be ~1e-8 in scale.
    std[j] = s > 0 && s > 1e-6 * Math.abs(mean[j]) ? s : 1;
  }
  return { mean: Float32Array.from(mean), std };
}

/** Fits the probe: standardise, then `epochs` passes of minibatch Adam on softmax cross-entropy. */
export function trainLinearProbe(train: LabelledFeatures, numClasses: number, settings: Partial<LinearProbeSettings> = {}): LinearProbe {
  const s = linearProbeSettings(settings);
  if (!(Number.isInteger(numClasses) && numClasses >= 2)) throw new Error(`linear probe needs at least 2 classes, got ${numClasses}.`);
  checkLabelled(train, 'linear probe training', numClasses);
  const { rows: n, cols: d } = train.features;
  if (n === 0) throw new Error('linear probe training: no examples.');
  const { mean, std } = columnStats(train.features);
  const rng = new Rng(s.seed >>> 0);
  const scale = Math.sqrt(1 / Math.max(1, d));
  const w0 = Float32Array.from({ length: d * numClasses }, () => rng.normal() * scale * 0.01);
  const w = tf.variable(tf.tensor2d(w0, [d, numClasses]), true, `linear_probe/w_${rng.nextSeed()}`);
  const b = tf.variable(tf.zeros([numClasses]), true, `linear_probe/b_${rng.nextSeed()}`);
  const opt = tf.train.adam(s.learning_rate);
  const x = tf.tidy(() => tf.div(tf.sub(tf.tensor2d(Float32Array.from(train.features.data), [n, d]), tf.tensor1d(mean)), tf.tensor1d(std)) as tf.Tensor2D);
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(train.labels, 'int32'), numClasses), 'float32') as tf.Tensor2D);
  try {
    const bs = Math.min(s.batch_size, n);
    for (let epoch = 0; epoch < s.epochs; epoch++) {
      const perm = rng.permutation(n);
      for (let start = 0; start < n; start += bs) {
        const idx = tf.tensor1d(perm.subarray(start, Math.min(n, start + bs)), 'int32');
        tf.tidy(() => {
          const xb = tf.gather(x, idx);
          const yb = tf.gather(y, idx);
          opt.minimize(() => {
            const logits = tf.add(tf.matMul(xb, w), b);
            const ce = tf.neg(tf.mean(tf.sum(tf.mul(yb, tf.logSoftmax(logits)), 1)));
            return (s.l2 > 0 ? tf.add(ce, tf.mul(s.l2, tf.sum(tf.square(w)))) : ce) as tf.Scalar;
          }, false, [w, b]);
        });
        idx.dispose();
      }
    }
    return new LinearProbe(mean, std, Float32Array.from(w.dataSync()), Float32Array.from(b.dataSync()), numClasses);
  } finally {
    tf.dispose([x, y, w, b]);
    opt.dispose();
  }
}

/** Fits on `train`, returns the accuracy on `test` (and on `train`, to see under/over-fitting). */
export function linearProbeAccuracy(train: LabelledFeatures, test: LabelledFeatures, numClasses: number, settings: Partial<LinearProbeSettings> = {}): { accuracy: number; trainAccuracy: number; probe: LinearProbe } {
  const probe = trainLinearProbe(train, numClasses, settings);
  return { accuracy: probe.accuracy(test), trainAccuracy: probe.accuracy(train), probe };
}
