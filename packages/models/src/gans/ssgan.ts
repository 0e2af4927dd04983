/**
 * compare_gan's SSGAN (Chen et al., "Self-Supervised GANs via Auxiliary Rotation Loss",
 * arXiv:1811.11212): D gets a 4-way rotation head on its last features
 * (`discriminator_rotation/score_classify`); D learns to predict the rotation of the last
 * rotated_batch_size / 4 real images rotated by 0/90/180/270 degrees (weight
 * `weight_rotation_loss_d`), G is rewarded when D recognises the rotations of its fakes
 * (weight `weight_rotation_loss_g`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, REQUIRED, t } from '@cgan/config-lang';
import { DiscriminatorOutput } from '../architectures/abstract_arch';
import { configuredLoss, discriminatorAccuracy, generatorLossFromFakes, get_losses } from '../losses/loss_lib';
import { StepInputs, LossOutputs, ModularGAN, ModularGANKwargs } from './modular_gan';
import { fakesWithRotations, firstRows, lastRows, linear, realFakeWithRotations, repeatedOneHot, softmaxCrossEntropy } from './tensor_utils';

export const NUM_ROTATIONS = 4;

export interface SSGANKwargs extends ModularGANKwargs {
  self_supervision: 'rotation_gan' | 'rotation_only' | 'none' | null;
  rotated_batch_size: number;
  weight_rotation_loss_d: number;
  weight_rotation_loss_g: number;
}

export interface RotationOutput extends DiscriminatorOutput {
  /** [batch, 4] rotation logits. */
  rotationLogits: tf.Tensor2D;
}

@configurable('SSGAN', {
  module: 'ssgan',
  params: {
    self_supervision: { default: 'rotation_gan', type: t.optional(t.oneOf('rotation_gan', 'rotation_only', 'none')), doc: 'rotation_only: no GAN loss' },
    rotated_batch_size: { default: REQUIRED, type: t.int, doc: 'images per batch for the rotation loss (a multiple of 4)' },
    weight_rotation_loss_d: { default: 1.0, type: t.number },
    weight_rotation_loss_g: { default: 0.2, type: t.number },
  },
})
export class SSGAN extends ModularGAN {
  readonly selfSupervision: string;
  readonly rotatedBatchSize: number;
  readonly weightRotationLossD: number;
  readonly weightRotationLossG: number;

  constructor(kw: SSGANKwargs) {
    super(kw);
    this.selfSupervision = kw.self_supervision ?? 'none';
    if (!Number.isInteger(kw.rotated_batch_size) || kw.rotated_batch_size <= 0 || kw.rotated_batch_size % NUM_ROTATIONS !== 0) {
      throw new Error(`SSGAN.rotated_batch_size must be a positive multiple of 4, got ${kw.rotated_batch_size}.`);
    }
    this.rotatedBatchSize = kw.rotated_batch_size;
    this.weightRotationLossD = kw.weight_rotation_loss_d;
    this.weightRotationLossG = kw.weight_rotation_loss_g;
  }

  /** D with the rotation head on its features. */
  discriminatorWithRotation(x: tf.Tensor4D, y: tf.Tensor2D | null, isTraining: boolean): RotationOutput {
    const out = this.discriminator(x, y, isTraining);
    const rotationLogits = this.store.scope('discriminator_rotation', () =>
      linear(this.headContext(isTraining), out.features, NUM_ROTATIONS, 'score_classify'),
    );
    return { ...out, rotationLogits };
  }

  createLoss(inp: StepInputs): LossOutputs {
    const rotation = this.selfSupervision.includes('rotation');
    const bs = inp.images.shape[0];
    const n = this.rotatedBatchSize / NUM_ROTATIONS;
    if (rotation && n > bs) throw new Error(`SSGAN.rotated_batch_size / 4 = ${n} exceeds the batch size ${bs}; lower it.`);
    if (inp.mode === 'g' && inp.fakesOnly) return this.generatorLossOnFakes(inp, n, rotation);
    const { images: allImages, y: allY } = realFakeWithRotations(inp.images, inp.fake, inp.realY, inp.fakeY, n, rotation);
    const out = this.discriminatorWithRotation(allImages, allY, true);
    const [pReal, pFake] = tf.split(out.probs, 2, 0) as tf.Tensor2D[];
    const [lReal, lFake] = tf.split(out.logits, 2, 0) as tf.Tensor2D[];
    const [cReal, cFake] = tf.split(out.rotationLogits, 2, 0) as tf.Tensor2D[];
    const losses = get_losses({ d_real: firstRows(pReal, bs), d_fake: firstRows(pFake, bs), d_real_logits: firstRows(lReal, bs), d_fake_logits: firstRows(lFake, bs) } as never);
    let dLoss: tf.Scalar = losses.d_loss;
    let gLoss: tf.Scalar = losses.g_loss;
    const summaries: Record<string, tf.Scalar> = { d_loss_real: losses.d_loss_real, d_loss_fake: losses.d_loss_fake };
    if (inp.mode === 'd') {
      const penalty = this.penalty(inp);
      summaries.penalty = penalty;
      dLoss = tf.add(dLoss, tf.mul(this.lambda, penalty)) as tf.Scalar;
      Object.assign(summaries, discriminatorAccuracy(firstRows(lReal, bs), firstRows(lFake, bs)));
    }
    if (rotation) {
      const onehot = repeatedOneHot(NUM_ROTATIONS, n);
      const cRealRot = lastRows(cReal, this.rotatedBatchSize);
      const cFakeRot = lastRows(cFake, this.rotatedBatchSize);
      const cRealLoss = softmaxCrossEntropy(onehot, cRealRot);
      const cFakeLoss = softmaxCrossEntropy(onehot, cFakeRot);
      summaries.c_real_loss = cRealLoss;
      summaries.c_fake_loss = cFakeLoss;
      summaries.d_rotation_accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(cRealRot, 1), tf.argMax(onehot, 1)), 'float32')) as tf.Scalar;
      if (this.selfSupervision === 'rotation_only') {
        dLoss = tf.mul(dLoss, 0) as tf.Scalar;
        gLoss = tf.mul(gLoss, 0) as tf.Scalar;
      }
      dLoss = tf.add(dLoss, tf.mul(cRealLoss, this.weightRotationLossD)) as tf.Scalar;
      gLoss = tf.add(gLoss, tf.mul(cFakeLoss, this.weightRotationLossG)) as tf.Scalar;
    }
    return { d_loss: dLoss, g_loss: gLoss, summaries };
  }

  /** G's loss of createLoss from D on the fakes (and their rotations) alone: the same ops on the same rows. */
  private generatorLossOnFakes(inp: StepInputs, n: number, rotation: boolean): LossOutputs {
    const bs = inp.fake.shape[0];
    const { images, y } = fakesWithRotations(inp.fake, inp.fakeY, n, rotation);
    const out = this.discriminatorWithRotation(images, y, true);
    let gLoss = generatorLossFromFakes(configuredLoss(), firstRows(out.probs, bs), firstRows(out.logits, bs));
    const summaries: Record<string, tf.Scalar> = {};
    if (rotation) {
      const cFakeLoss = softmaxCrossEntropy(repeatedOneHot(NUM_ROTATIONS, n), lastRows(out.rotationLogits, this.rotatedBatchSize));
      summaries.c_fake_loss = cFakeLoss;
      if (this.selfSupervision === 'rotation_only') gLoss = tf.mul(gLoss, 0) as tf.Scalar;
      gLoss = tf.add(gLoss, tf.mul(cFakeLoss, this.weightRotationLossG)) as tf.Scalar;
    }
    return { d_loss: tf.scalar(NaN), g_loss: gLoss, summaries };
  }
}
