/**
 * The representation metrics of an encoder GAN (BigBiGAN offers them as its `extraMetrics`):
 * `linear_probe_accuracy` (a linear probe, ./linear_probe.ts, fitted on the encoder's frozen
 * features of the labelled train split, accuracy on the test split), the same probe on raw
 * pixels, and the class agreement of x and G(E(x)) according to the domain classifier.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Batch, GanDataset, Split } from '../datasets/types';
import { FeatureExtractor } from '../metrics/extractors/types';
import { LabelledFeatures, linearProbeAccuracy, LinearProbeSettings, linearProbeSettings } from './linear_probe';

/** Features of up to `maxExamples` examples of `split` (in order, labelled ones only), with their labels. */
export async function collectFeatures(
  featureFn: (images: tf.Tensor4D) => tf.Tensor2D,
  dataset: GanDataset,
  split: Split,
  maxExamples: number,
  batchSize = 100,
): Promise<LabelledFeatures> {
  const rows: Float32Array[] = [];
  const labels: number[] = [];
  let cols = -1;
  for await (const batch of dataset.batches(split, { batchSize, repeat: false, dropRemainder: false })) {
    try {
      if (labels.length >= maxExamples) continue;
      const f = tf.tidy(() => featureFn(batch.images));
      const data = f.dataSync() as Float32Array;
      cols = f.shape[1];
      f.dispose();
      const l = batch.labels.dataSync();
      const m = batch.labelled.dataSync();
      for (let i = 0; i < l.length && labels.length < maxExamples; i++) {
        if (m[i] === 0) continue; // hidden by labels.fraction
        rows.push(data.slice(i * cols, (i + 1) * cols));
        labels.push(l[i]);
      }
    } finally {
      disposeBatch(batch);
    }
    if (labels.length >= maxExamples) break;
  }
  if (!labels.length) throw new Error(`the ${split} split of ${dataset.info.name} has no labelled examples; the linear probe needs labels.`);
  const out = new Float32Array(labels.length * cols);
  rows.forEach((r, i) => out.set(r, i * cols));
  return { features: { rows: labels.length, cols, data: out }, labels: Int32Array.from(labels) };
}

function disposeBatch(b: Batch): void {
  tf.dispose([b.images, b.labels, b.labelled]);
}

/** Linear-probe accuracy of any feature function on a labelled dataset (train -> test). */
export async function probeFeatureFn(
  featureFn: (images: tf.Tensor4D) => tf.Tensor2D,
  dataset: GanDataset,
  settings: Partial<LinearProbeSettings> = {},
): Promise<{ accuracy: number; trainAccuracy: number; numTrain: number; numTest: number; numFeatures: number }> {
  const s = linearProbeSettings(settings);
  if (!(dataset.info.numClasses >= 2)) throw new Error(`dataset ${dataset.info.name} has no class labels; the linear probe needs a labelled dataset.`);
  const train = await collectFeatures(featureFn, dataset, 'train', s.num_train_examples);
  const test = await collectFeatures(featureFn, dataset, 'test', s.num_test_examples);
  const r = linearProbeAccuracy(train, test, dataset.info.numClasses, s);
  return { accuracy: r.accuracy, trainAccuracy: r.trainAccuracy, numTrain: train.labels.length, numTest: test.labels.length, numFeatures: train.features.cols };
}

/** What an encoder GAN offers the representation metrics (BigBiGAN). */
export interface EncoderGan {
  encodeFeatures(x: tf.Tensor4D, which?: 'features' | 'mu'): tf.Tensor2D;
  reconstruct(x: tf.Tensor4D): tf.Tensor4D;
}

/** Fraction of rows where two [n, k] logit matrices have the same argmax. */
function sameArgmax(a: tf.Tensor2D, b: tf.Tensor2D): number {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(a, 1), tf.argMax(b, 1)), 'float32')).dataSync()[0]);
}

/**
 * Class agreement of reconstructions (BigBiGAN's "G(E(x)) keeps the class of x"): over the
 * first `n` test images x, the fraction whose domain-classifier label equals that of G(E(x)).
 * Chance is about 1 / numClasses. Also the classifier's accuracy on G(E(x)) against x's true label.
 */
export async function reconstructionAgreement(gan: EncoderGan, dataset: GanDataset, classifier: FeatureExtractor, n: number, batchSize = 100): Promise<{ agreement: number; labelAccuracy: number; n: number }> {
  if (!(classifier.numClasses >= 2)) throw new Error(`${classifier.name} has no class logits; reconstruction class agreement needs a classifier.`);
  let same = 0;
  let right = 0;
  let seen = 0;
  for await (const batch of dataset.batches('test', { batchSize, repeat: false, dropRemainder: false })) {
    try {
      if (seen >= n) continue;
      const take = Math.min(batch.images.shape[0], n - seen);
      const [s, r] = tf.tidy(() => {
        const x = tf.slice(batch.images, [0], [take]) as tf.Tensor4D;
        const lx = classifier.extract(x).logits as tf.Tensor2D;
        const lr = classifier.extract(gan.reconstruct(x)).logits as tf.Tensor2D;
        const labels = tf.cast(tf.slice(batch.labels, [0], [take]), 'int32');
        return [sameArgmax(lx, lr), tf.sum(tf.cast(tf.equal(tf.argMax(lr, 1), labels), 'float32')).dataSync()[0]];
      });
      same += s;
      right += r;
      seen += take;
    } finally {
      disposeBatch(batch);
    }
    if (seen >= n) break;
  }
  if (!seen) throw new Error(`the test split of ${dataset.info.name} is empty; reconstruction class agreement needs test images.`);
  return { agreement: same / seen, labelAccuracy: right / seen, n: seen };
}

/**
 * The representation metrics of an encoder GAN (BigBiGAN.extraMetrics):
 * - `linear_probe_accuracy`: the probe on E's frozen `linear_probe.features` (inference mode);
 * - `linear_probe_accuracy_pixels`: the same probe on raw pixels (the baseline E must beat to
 *   have learned more than a re-encoding of its input; a randomly initialised E is the other
 *   baseline: evaluate the run at step 0);
 * - with a `classifier` (the dataset's domain classifier): `reconstruction_class_agreement[<name>]`
 *   and `reconstruction_label_accuracy[<name>]` on `linear_probe.num_test_examples` test images.
 * Nothing for unlabelled datasets.
 */
export async function encoderMetrics(
  gan: EncoderGan,
  ctx: { dataset: GanDataset; log?: (msg: string) => void },
  classifier: FeatureExtractor | null,
  settings: Partial<LinearProbeSettings> = {},
): Promise<Record<string, number>> {
  if (!(ctx.dataset.info.numClasses >= 2)) {
    ctx.log?.(`linear_probe_accuracy skipped: ${ctx.dataset.info.name} has no class labels`);
    return {};
  }
  const s = linearProbeSettings(settings);
  const r = await probeFeatureFn((x) => gan.encodeFeatures(x, s.features), ctx.dataset, s);
  ctx.log?.(`linear probe on ${r.numFeatures} encoder ${s.features}: ${r.numTrain} train / ${r.numTest} test examples, train accuracy ${r.trainAccuracy.toFixed(4)}, test accuracy ${r.accuracy.toFixed(4)}`);
  const px = await probeFeatureFn((x) => tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D, ctx.dataset, s);
  ctx.log?.(`linear probe on ${px.numFeatures} raw pixels: test accuracy ${px.accuracy.toFixed(4)}`);
  const out: Record<string, number> = { linear_probe_accuracy: r.accuracy, linear_probe_accuracy_pixels: px.accuracy };
  if (classifier) {
    const a = await reconstructionAgreement(gan, ctx.dataset, classifier, s.num_test_examples);
    ctx.log?.(`reconstructions G(E(x)) of ${a.n} test images: class agreement with x ${a.agreement.toFixed(4)} (chance ~${(1 / ctx.dataset.info.numClasses).toFixed(2)}), label accuracy ${a.labelAccuracy.toFixed(4)}`);
    out[`reconstruction_class_agreement[${classifier.name}]`] = a.agreement;
    out[`reconstruction_label_accuracy[${classifier.name}]`] = a.labelAccuracy;
  }
  return out;
}
