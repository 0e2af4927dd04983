/**
 * The contract of every architecture (compare_gan's abstract_arch.py):
 * a generator maps z (and optionally a one-hot y) to images in [0, 1];
 * a discriminator maps images (and y) to probabilities, logits and its last features.
 * Variables live in the VariableStore under the network's name ('generator', 'discriminator').
 */
import * as tf from '@tensorflow/tfjs-core';
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
  apply(x: tf.Tensor4D, y: tf.Tensor2D | null, isTraining: boolean): DiscriminatorOutput;
}

/** What an architecture configurable (`options.architecture`) builds. */
export interface ArchitectureOptions {
  store: VariableStore;
  imageShape: [number, number, number];
  numClasses: number;
  zDim: number;
  conditional: boolean;
}

export interface Architecture {
  generator: GeneratorNet;
  discriminator: DiscriminatorNet;
}
