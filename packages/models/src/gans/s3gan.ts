/**
 * compare_gan's S3GAN (Lucic et al., "High-Fidelity Image Generation With Fewer Labels",
 * arXiv:1903.02271): ModularGAN with auxiliary heads on D's features.
 * - self_supervision = "rotation": a 4-way rotation head; rotated_batch_fraction sets how many
 *   images are rotated (batch / rotated_batch_fraction in total, a quarter per angle).
 * - project_y: a projection discriminator done here (`discriminator_projection/kernel`). The
 *   architecture's D is built unconditionally and never gets labels (compare_gan's S3GAN
 *   architectures do not project by default either).
 * - use_predictor (S2GAN-CO / S3GAN): a linear classifier head on D's features
 *   (`discriminator_predictor/predictor_linear`), trained on the labelled real examples with weight
 *   `weight_class_loss`; examples without a label (an all-zero one-hot: `labelled == 0` in the
 *   Batch) are projected with its prediction, one-hot (argmax) or soft (`use_soft_pred`),
 *   without gradient through the prediction.
 * - use_soft_labels: the batch carries soft labels [batch, classes] instead of class indices.
 * No penalty is added (as compare_gan's S3GAN).
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, REQUIRED, t } from '@cgan/config-lang';
import { Architecture, DiscriminatorOutput } from '../architectures/abstract_arch';
import { Batch } from '../datasets/types';
import { configuredLoss, discriminatorAccuracy, generatorLossFromFakes, get_losses } from '../losses/loss_lib';
import { StepInputs, LossOutputs, ModularGAN, ModularGANKwargs } from './modular_gan';
import {
  firstRows,
  classEmbedding,
  lastRows,
  linear,
  maskedOneHot,
  repeatedOneHot,
  softmaxCrossEntropy,
  stopGradient,
  weightedSoftmaxCrossEntropy,
  realFakeWithRotations,
  fakesWithRotations,
} from './tensor_utils';
import { NUM_ROTATIONS } from './ssgan';

export interface S3GANKwargs extends ModularGANKwargs {
  self_supervision: 'rotation' | 'none' | null;
  rotated_batch_fraction: number;
  weight_rotation_loss_d: number;
  weight_rotation_loss_g: number;
  project_y: boolean;
  use_predictor: boolean;
  use_soft_pred: boolean;
  weight_class_loss: number;
  use_soft_labels: boolean;
}

export interface S3DiscriminatorOutput extends DiscriminatorOutput {
  rotationLogits: tf.Tensor2D | null;
  auxLogits: tf.Tensor2D | null;
  /** [batch, 1]: 1 where y carried a label. */
  isLabelAvailable: tf.Tensor2D | null;
}

@configurable('S3GAN', {
  module: 's3gan',
  params: {
    self_supervision: { default: 'rotation', type: t.optional(t.oneOf('rotation', 'none')) },
    rotated_batch_fraction: { default: REQUIRED, type: t.int, doc: 'batch / rotated_batch_fraction images are rotated' },
    weight_rotation_loss_d: { default: 1.0, type: t.number },
    weight_rotation_loss_g: { default: 0.2, type: t.number },
    project_y: { default: false, type: t.bool, doc: 'projection discriminator with the (predicted) labels' },
    use_predictor: { default: false, type: t.bool, doc: 'classifier head labels the unlabelled examples (needs project_y)' },
    use_soft_pred: { default: false, type: t.bool, doc: 'project with softmax predictions instead of one-hot argmax' },
    weight_class_loss: { default: 1.0, type: t.number },
    use_soft_labels: { default: false, type: t.bool, doc: 'batches carry soft labels [batch, classes]' },
  },
})
export class S3GAN extends ModularGAN {
  readonly selfSupervision: string;
  readonly rotatedBatchFraction: number;
  readonly weightRotationLossD: number;
  readonly weightRotationLossG: number;
  readonly projectY: boolean;
  readonly usePredictor: boolean;
  readonly useSoftPred: boolean;
  readonly weightClassLoss: number;
  readonly useSoftLabels: boolean;

  constructor(kw: S3GANKwargs) {
    super(kw);
    if (kw.use_predictor && !kw.project_y) throw new Error('S3GAN.use_predictor = True requires S3GAN.project_y = True (the predictor feeds the projection).');
    if (kw.project_y && !this.conditional) throw new Error('S3GAN.project_y = True needs labels: set ModularGAN.conditional = True.');
    this.selfSupervision = kw.self_supervision ?? 'none';
    if (this.selfSupervision === 'rotation' && !(Number.isInteger(kw.rotated_batch_fraction) && kw.rotated_batch_fraction > 0)) {
      throw new Error(`S3GAN.rotated_batch_fraction must be a positive integer dividing the batch size, got ${kw.rotated_batch_fraction}.`);
    }
    this.rotatedBatchFraction = kw.rotated_batch_fraction;
    this.weightRotationLossD = kw.weight_rotation_loss_d;
    this.weightRotationLossG = kw.weight_rotation_loss_g;
    this.projectY = kw.project_y;
    this.usePredictor = kw.use_predictor;
    this.useSoftPred = kw.use_soft_pred;
    this.weightClassLoss = kw.weight_class_loss;
    this.useSoftLabels = kw.use_soft_labels;
  }

  /**
   * G as configured (class-conditional when ModularGAN.conditional); D from the architecture built
   * unconditionally: as in compare_gan, S3GAN's own heads and `S3GAN.project_y` handle the labels,
   * and the architecture's D never sees them.
   */
  protected buildArchitecture(): Architecture {
    const g = super.buildArchitecture(this.conditional);
    const d = super.buildArchitecture(false);
    return { generator: g.generator, discriminator: d.discriminator };
  }

  /** Plain D (for penalties and metrics): the projection included, no other heads. */
  discriminator(x: tf.Tensor4D, y: tf.Tensor2D | null, isTraining: boolean): DiscriminatorOutput {
    const out = this.discriminatorWithHeads(x, y, isTraining);
    return { probs: out.probs, logits: out.logits, features: out.features };
  }

  /** compare_gan's S3GAN.discriminator(..., additional_outputs=True). */
  discriminatorWithHeads(x: tf.Tensor4D, y: tf.Tensor2D | null, isTraining: boolean): S3DiscriminatorOutput {
    const base = this.architecture.discriminator.apply(x, null, isTraining);
    const isLabelAvailable = y ? (tf.cast(tf.greater(tf.sum(y, 1, true), 0.5), 'float32') as tf.Tensor2D) : null;
    let rotationLogits: tf.Tensor2D | null = null;
    if (this.selfSupervision === 'rotation') {
      rotationLogits = this.store.scope('discriminator_rotation', () => linear(this.headContext(isTraining), base.features, NUM_ROTATIONS, 'score_classify'));
    }
    if (!this.projectY || !y || !isLabelAvailable) return { ...base, rotationLogits, auxLogits: null, isLabelAvailable };
    let yUsed: tf.Tensor2D = y;
    let auxLogits: tf.Tensor2D | null = null;
    if (this.usePredictor) {
      const logitsAux = this.store.scope('discriminator_predictor', () => linear(this.headContext(isTraining), base.features, y.shape[1], 'predictor_linear'));
      auxLogits = logitsAux;
      const yPredicted = this.useSoftPred
        ? tf.softmax(logitsAux)
        : (tf.cast(tf.oneHot(tf.argMax(stopGradient(logitsAux), 1) as tf.Tensor1D, y.shape[1]), 'float32') as tf.Tensor2D);
      yUsed = stopGradient(tf.add(tf.mul(tf.sub(1, isLabelAvailable), yPredicted), tf.mul(isLabelAvailable, y)) as tf.Tensor2D);
    }
    const embedded = classEmbedding(this.headContext(isTraining), yUsed, base.features.shape[1], 'discriminator_projection');
    const logits = tf.add(base.logits, tf.sum(tf.mul(embedded, base.features), 1, true)) as tf.Tensor2D;
    return { probs: tf.sigmoid(logits) as tf.Tensor2D, logits, features: base.features, rotationLogits, auxLogits, isLabelAvailable };
  }

  /** Real labels: one-hot with all-zero rows for hidden labels, or the batch's soft labels. */
  realLabels(batch: Batch): tf.Tensor2D | null {
    if (!this.conditional) return null;
    if (this.useSoftLabels) {
      const labels = batch.labels as unknown as tf.Tensor;
      if (labels.rank !== 2 || labels.shape[1] !== this.numClasses) {
        throw new Error(`S3GAN.use_soft_labels = True needs soft labels of shape [batch, ${this.numClasses}], got [${labels.shape}].`);
      }
      return tf.clone(labels) as tf.Tensor2D;
    }
    return maskedOneHot(batch.labels, batch.labelled, this.numClasses);
  }

  createLoss(inp: StepInputs): LossOutputs {
    const bs = inp.images.shape[0];
    const rotation = this.selfSupervision === 'rotation';
    let rotatedBs = 0;
    let n = 0;
    if (rotation) {
      if (bs % this.rotatedBatchFraction !== 0) {
        throw new Error(`S3GAN.rotated_batch_fraction = ${this.rotatedBatchFraction} does not divide the batch size ${bs}.`);
      }
      rotatedBs = bs / this.rotatedBatchFraction;
      n = Math.floor(rotatedBs / NUM_ROTATIONS);
      if (n <= 0) throw new Error(`S3GAN: batch ${bs} / rotated_batch_fraction ${this.rotatedBatchFraction} = ${rotatedBs} leaves no image per rotation (needs >= 4).`);
    }
    if (inp.mode === 'g' && inp.fakesOnly) return this.generatorLossOnFakes(inp, n, rotation);
    const { images: allImages, y: allY } = realFakeWithRotations(inp.images, inp.fake, inp.realY, inp.fakeY, n, rotation);
    const out = this.discriminatorWithHeads(allImages, allY, true);
    const halves = (x: tf.Tensor2D) => tf.split(x, 2, 0) as tf.Tensor2D[];
    const [pReal, pFake] = halves(out.probs);
    const [lReal, lFake] = halves(out.logits);
    const losses = get_losses({ d_real: firstRows(pReal, bs), d_fake: firstRows(pFake, bs), d_real_logits: firstRows(lReal, bs), d_fake_logits: firstRows(lFake, bs) } as never);
    let dLoss: tf.Scalar = losses.d_loss;
    let gLoss: tf.Scalar = losses.g_loss;
    const summaries: Record<string, tf.Scalar> = { d_loss_real: losses.d_loss_real, d_loss_fake: losses.d_loss_fake };
    if (inp.mode === 'd') Object.assign(summaries, discriminatorAccuracy(firstRows(lReal, bs), firstRows(lFake, bs)));
    if (rotation && out.rotationLogits) {
      const [rReal, rFake] = halves(out.rotationLogits);
      const onehot = repeatedOneHot(NUM_ROTATIONS, n);
      const rRealRot = lastRows(rReal, NUM_ROTATIONS * n);
      const rFakeRot = lastRows(rFake, NUM_ROTATIONS * n);
      const realLoss = softmaxCrossEntropy(onehot, rRealRot);
      const fakeLoss = softmaxCrossEntropy(onehot, rFakeRot);
      dLoss = tf.add(dLoss, tf.mul(realLoss, this.weightRotationLossD)) as tf.Scalar;
      gLoss = tf.add(gLoss, tf.mul(fakeLoss, this.weightRotationLossG)) as tf.Scalar;
      summaries.rotation_real_loss = realLoss;
      summaries.rotation_fake_loss = fakeLoss;
      summaries.rotation_accuracy_real = tf.mean(tf.cast(tf.equal(tf.argMax(rRealRot, 1), tf.argMax(onehot, 1)), 'float32')) as tf.Scalar;
    }
    if (this.usePredictor && out.auxLogits && out.isLabelAvailable && inp.realY) {
      const realAux = firstRows(halves(out.auxLogits)[0], bs);
      const available = tf.reshape(firstRows(halves(out.isLabelAvailable)[0], bs), [bs]) as tf.Tensor1D;
      const classLoss = weightedSoftmaxCrossEntropy(inp.realY, realAux, available);
      dLoss = tf.add(dLoss, tf.mul(this.weightClassLoss, classLoss)) as tf.Scalar;
      summaries.class_loss_real = classLoss;
      summaries.label_frac = tf.mean(available) as tf.Scalar;
    }
    return { d_loss: dLoss, g_loss: gLoss, summaries };
  }

  /** G's loss of createLoss from D (and its heads) on the fakes and their rotations alone. */
  private generatorLossOnFakes(inp: StepInputs, n: number, rotation: boolean): LossOutputs {
    const bs = inp.fake.shape[0];
    const { images, y } = fakesWithRotations(inp.fake, inp.fakeY, n, rotation);
    const out = this.discriminatorWithHeads(images, y, true);
    let gLoss = generatorLossFromFakes(configuredLoss(), firstRows(out.probs, bs), firstRows(out.logits, bs));
    const summaries: Record<string, tf.Scalar> = {};
    if (rotation && out.rotationLogits) {
      const fakeLoss = softmaxCrossEntropy(repeatedOneHot(NUM_ROTATIONS, n), lastRows(out.rotationLogits, NUM_ROTATIONS * n));
      gLoss = tf.add(gLoss, tf.mul(fakeLoss, this.weightRotationLossG)) as tf.Scalar;
      summaries.rotation_fake_loss = fakeLoss;
    }
    return { d_loss: tf.scalar(NaN), g_loss: gLoss, summaries };
  }
}
