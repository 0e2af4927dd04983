/**
 * The contract of every architecture (compare_gan's abstract_arch.py):
 * a generator maps z (and optionally a one-hot y) to images in [0, 1];
 * a discriminator maps images (and y) to probabilities, logits and its last features.
 * Variables live in the VariableStore under the network's name ('generator', 'discriminator').
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../core/rng';
import { VariableStore } from '../core/variables';

export interface DiscriminatorOutput {
  /** [batch, 1] sigmoid(logits). */
  probs: tf.Tensor2D;
  /** [batch, 1]. */
  logits: tf.Tensor2D;
  /** [batch, features]: the last hidden layer (used by SSGAN/S3GAN heads and metrics). */
  features: tf.Tensor2D;
}

export interface GeneratorNet {
  readonly name: string;
  readonly imageShape: [number, number, number];
  /** z: [batch, z_dim]; y: [batch, num_classes] one-hot or null. Output [batch, h, w, c] in [0, 1]. */
  apply(z: tf.Tensor2D, y: tf.Tensor2D | null, isTraining: boolean): tf.Tensor4D;
}

export interface DiscriminatorNet {
  readonly name: string;
  /**
   * True when each output row depends only on the same input row (no batch statistics, e.g. no
   * batch norm): D(fake) is then the same computed alone or beside the real images, which lets
   * G's step skip the real half (ModularGAN.generatorStep). Absent or false: not known, no skip.
   */
  readonly rowIndependent?: boolean;
  apply(x: tf.Tensor4D, y: tf.Tensor2D | null, isTraining: boolean): DiscriminatorOutput;
}

/** What an architecture configurable (`options.architecture`) builds. */
export interface ArchitectureOptions {
  store: VariableStore;
  imageShape: [number, number, number];
  numClasses: number;
  zDim: number;
  /**
   * True for a class-conditional GAN (ModularGAN.conditional). Then G's `@batch_norm` becomes
   * `@conditional_batch_norm` (G must get one-hot y) and D projects y (`D.project_y`, default
   * "when conditional"); see architectures/base.ts.
   */
  conditional: boolean;
  /**
   * Seeds the initial weights: each variable's seed is derived from this stream's seed and the
   * variable's full name (`rng.fork(name)`), so the stream's state is not advanced and inits do
   * not depend on creation order. Pass the run's Rng (GanRuntime.rng); default `new Rng(0)`.
   */
  rng?: Rng;
}

export interface Architecture {
  generator: GeneratorNet;
  discriminator: DiscriminatorNet;
}
