/**
 * Label embeddings: the projection discriminator's term (Miyato & Koyama 2018) and the
 * generator's shared class embedding (BigGAN's embed_y).
 */
import * as tf from '@tensorflow/tfjs-core';
import { OpContext } from './context';
import { WeightInit } from './initializers';
import { linear } from './layers';

export interface ProjectionOptions {
  /** Variable scope of the embedding kernel (compare_gan: 'embedding_fc'). */
  scope?: string;
  use_sn?: boolean;
  /** Kernel initializer; the `weights` one when omitted (resnet_biggan uses glorot). */
  initializer?: WeightInit;
}

/**
 * The projection term <embed(y), h>: y [batch, classes] one-hot, h [batch, features] the
 * discriminator's features. Returns [batch, 1], added to the unconditional logit.
 */
export function projectY(ctx: OpContext, h: tf.Tensor2D, y: tf.Tensor2D, opts: ProjectionOptions = {}): tf.Tensor2D {
  const embedded = linear(ctx, y, h.shape[1], { scope: opts.scope ?? 'embedding_fc', use_bias: false, use_sn: opts.use_sn ?? false, initializer: opts.initializer });
  return tf.sum(tf.mul(embedded, h), 1, true) as tf.Tensor2D;
}

/** A learned embedding of the one-hot labels (no spectral norm, as compare_gan's embed_y). */
export function embedLabels(ctx: OpContext, y: tf.Tensor2D, dim: number, opts: { scope?: string; use_bias?: boolean } = {}): tf.Tensor2D {
  return linear(ctx, y, dim, { scope: opts.scope ?? 'embed_y', use_bias: opts.use_bias ?? false, use_sn: false });
}
