/**
 * S2GAN (Lucic et al., "High-Fidelity Image Generation With Fewer Labels", arXiv:1903.02271),
 * the pre-trained variant: before GAN training, a feature extractor (a copy of the architecture's
 * discriminator, variables under `s2gan_classifier/`) is trained with rotation
 * self-supervision on all real images, and a linear classifier on its frozen features is trained
 * on the labelled fraction (`labelled == 1`). Then a conditional ModularGAN is trained where the
 * examples without labels get the classifier's labels: one-hot of the argmax, or its softmax
 * with `S2GAN.use_soft_pred`.
 *
 * Schedule: the first `S2GAN.pretrain_steps` calls of trainStep train the classifier only (every
 * batch given is one classifier update; G and D stay untouched; summaries `pretrain_*`); later
 * calls train the GAN. The co-trained variant (S2GAN-CO) is `S3GAN.use_predictor`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, t } from '@cgan/config-lang';
import { Architecture } from '../architectures/abstract_arch';
import { Batch } from '../datasets/types';
import { AdamOptimizer, OptimizerFn } from '../optimizers/tf_train';
import { GanNetwork, GanOptimizer } from './abstract_gan';
import { minimize } from './train_core';
import { ModularGAN, ModularGANKwargs } from './modular_gan';
import { linear, maskedOneHot, repeatedOneHot, rotateImages, softmaxCrossEntropy, stopGradient, weightedSoftmaxCrossEntropy } from './tensor_utils';
import { NUM_ROTATIONS } from './ssgan';

export const CLASSIFIER_SCOPE = 's2gan_classifier';

export interface S2GANKwargs extends ModularGANKwargs {
  pretrain_steps: number;
  classifier_lr: number;
  classifier_optimizer_fn: OptimizerFn;
  weight_rotation_loss: number;
  use_soft_pred: boolean;
}

@configurable('S2GAN', {
  module: 's2gan',
  params: {
    pretrain_steps: { default: 1000, type: t.int, doc: 'trainStep calls spent training the classifier before the GAN' },
    classifier_lr: { default: 0.001, type: t.number },
    classifier_optimizer_fn: { default: AdamOptimizer, type: t.any },
    weight_rotation_loss: { default: 1.0, type: t.number, doc: 'weight of the rotation loss training the features' },
    use_soft_pred: { default: false, type: t.bool, doc: 'unlabelled examples get softmax predictions instead of one-hot' },
  },
})
export class S2GAN extends ModularGAN {
  readonly pretrainSteps: number;
  readonly useSoftPred: boolean;
  readonly weightRotationLoss: number;
  readonly classifierOptimizer: tf.Optimizer;
  readonly classifierLr: number;
  readonly classifierNet: Architecture;

  constructor(kw: S2GANKwargs) {
    super(kw);
    if (!this.conditional) throw new Error('S2GAN trains a conditional GAN: set ModularGAN.conditional = True.');
    if (!(Number.isInteger(kw.pretrain_steps) && kw.pretrain_steps >= 0)) throw new Error(`S2GAN.pretrain_steps must be an integer >= 0, got ${kw.pretrain_steps}.`);
    this.pretrainSteps = kw.pretrain_steps;
    this.useSoftPred = kw.use_soft_pred;
    this.weightRotationLoss = kw.weight_rotation_loss;
    this.classifierLr = kw.classifier_lr;
    this.classifierOptimizer = kw.classifier_optimizer_fn({ learning_rate: kw.classifier_lr, name: 'c_' });
    this.classifierNet = this.store.scope(CLASSIFIER_SCOPE, () => this.buildArchitecture(false));
  }

  networks(): GanNetwork[] {
    return [...super.networks(), { name: 'classifier', prefix: CLASSIFIER_SCOPE }];
  }

  optimizers(): GanOptimizer[] {
    const vars = () => this.store.trainable(CLASSIFIER_SCOPE);
    return [...super.optimizers(), { name: 'c', optimizer: this.classifierOptimizer, baseLr: this.classifierLr, schedule: this.lrSchedule, variables: vars }];
  }

  build(): void {
    if (this.built) return;
    tf.tidy(() => this.classifierLogits(tf.zeros([2, ...this.datasetInfo.imageShape]) as tf.Tensor4D, false));
    super.build();
  }

  /** Features of the self-supervised network and the classifier's and rotation head's logits. */
  private classifierOutputs(x: tf.Tensor4D, isTraining: boolean): { features: tf.Tensor2D; classLogits: tf.Tensor2D; rotationLogits: tf.Tensor2D } {
    return this.store.scope(CLASSIFIER_SCOPE, () => {
      const { features } = this.classifierNet.discriminator.apply(x, null, isTraining);
      const head = this.headContext(isTraining);
      const rotationLogits = linear(head, features, NUM_ROTATIONS, 'rotation_head');
      const classLogits = linear(head, stopGradient(features), this.numClasses, 'classifier');
      return { features, classLogits, rotationLogits };
    });
  }

  /** The pre-trained classifier's logits for x (inference mode by default). */
  classifierLogits(x: tf.Tensor4D, isTraining = false): tf.Tensor2D {
    return this.classifierOutputs(x, isTraining).classLogits;
  }

  /** Labelled examples keep their one-hot label; the others get the classifier's prediction. */
  realLabels(batch: Batch): tf.Tensor2D | null {
    return tf.tidy(() => {
      const given = maskedOneHot(batch.labels, batch.labelled, this.numClasses);
      const logits = this.classifierLogits(batch.images, false);
      const predicted = this.useSoftPred ? tf.softmax(logits) : tf.cast(tf.oneHot(tf.argMax(logits, 1) as tf.Tensor1D, this.numClasses), 'float32');
      const available = tf.expandDims(tf.cast(batch.labelled, 'float32'), 1);
      return tf.add(tf.mul(available, given), tf.mul(tf.sub(1, available), predicted)) as tf.Tensor2D;
    });
  }

  /** One classifier update: rotation loss on all images, class loss on the labelled ones. */
  pretrainStep(batch: Batch): Record<string, number> {
    const vars = this.store.trainable(CLASSIFIER_SCOPE);
    const labels = maskedOneHot(batch.labels, batch.labelled, this.numClasses);
    const rotOnehot = repeatedOneHot(NUM_ROTATIONS, batch.images.shape[0]);
    const lossFn = () => {
      const all = rotateImages(batch.images, [0, 1, 2, 3]);
      const out = this.classifierOutputs(all, true);
      const bs = batch.images.shape[0];
      const rotationLoss = softmaxCrossEntropy(rotOnehot, out.rotationLogits);
      const logits = tf.slice(out.classLogits, [0, 0], [bs, this.numClasses]) as tf.Tensor2D;
      const classLoss = weightedSoftmaxCrossEntropy(labels, logits, tf.cast(batch.labelled, 'float32') as tf.Tensor1D);
      const correct = tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(batch.labels, 'int32')), 'float32');
      const w = tf.cast(batch.labelled, 'float32');
      const summaries = {
        pretrain_rotation_loss: rotationLoss,
        pretrain_class_loss: classLoss,
        pretrain_labelled_accuracy: tf.div(tf.sum(tf.mul(correct, w)), tf.maximum(tf.sum(w), 1)) as tf.Scalar,
      };
      return { loss: tf.add(tf.mul(this.weightRotationLoss, rotationLoss), classLoss) as tf.Scalar, summaries };
    };
    try {
      return minimize(lossFn, [{ optimizer: this.classifierOptimizer, variables: vars }], 'pretrain_loss');
    } finally {
      tf.dispose([labels, rotOnehot]);
    }
  }

  trainStep(batches: Batch[], step: number): Record<string, number> {
    if (!this.built) this.build();
    if (step < this.pretrainSteps) {
      if (batches.length !== this.discIters) {
        throw new Error(`S2GAN.trainStep needs options.disc_iters = ${this.discIters} batches, got ${batches.length}.`);
      }
      let last: Record<string, number> = {};
      for (const b of batches) last = this.pretrainStep(b);
      return last;
    }
    return super.trainStep(batches, step);
  }
}
