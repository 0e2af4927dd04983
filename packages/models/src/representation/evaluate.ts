/**
 * The representation metric of an encoder GAN (BigBiGAN): `linear_probe_accuracy`, the test
 * accuracy of a linear probe (./linear_probe.ts) fitted on the encoder's frozen features of the
 * labelled train split. `evaluateRepresentation(ctx)` takes the runner's evaluation context and
 * returns {} for GANs without an encoder, so it can run after every evaluation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Batch, GanDataset, Split } from '../datasets/types';
import { hasEncoder } from '../gans/bigbigan';
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

/** What evaluateRepresentation needs (a subset of the runner's EvalContext). */
export interface RepresentationEvalContext {
  gan: unknown;
  dataset: GanDataset;
  log?: (msg: string) => void;
}

/**
 * `{ linear_probe_accuracy }` for a GAN with an encoder (the probe reads
 * `linear_probe.features` of E in inference mode); `{}` for other GANs or unlabelled datasets.
 */
export async function evaluateRepresentation(ctx: RepresentationEvalContext, settings: Partial<LinearProbeSettings> = {}): Promise<Record<string, number>> {
  const gan = ctx.gan;
  if (!hasEncoder(gan)) return {};
  if (!(ctx.dataset.info.numClasses >= 2)) {
    ctx.log?.(`linear_probe_accuracy skipped: ${ctx.dataset.info.name} has no class labels`);
    return {};
  }
  const s = linearProbeSettings(settings);
  const r = await probeFeatureFn((x) => gan.encodeFeatures(x, s.features), ctx.dataset, s);
  ctx.log?.(`linear probe on ${r.numFeatures} encoder ${s.features}: ${r.numTrain} train / ${r.numTest} test examples, train accuracy ${r.trainAccuracy.toFixed(4)}, test accuracy ${r.accuracy.toFixed(4)}`);
  return { linear_probe_accuracy: r.accuracy };
}
