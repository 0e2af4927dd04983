/**
 * The self-attention (non-local) block of SAGAN / BigGAN, compare_gan's
 * arch_ops.non_local_block: theta, phi, g are 1x1 convolutions (C/8, C/8, C/2 channels, no bias),
 * phi and g max-pooled 2x2, attention softmax(theta phi^T) over the pooled positions, then a
 * 1x1 convolution back to C channels scaled by a learned `sigma` (starting at 0): x + sigma * o.
 */
import * as tf from '@tensorflow/tfjs-core';
import { OpContext, scope } from './context';
import { constantInit } from './initializers';
import { conv1x1 } from './layers';

export function non_local_block(ctx: OpContext, x: tf.Tensor4D, name: string, useSn: boolean): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  if (h < 2 || w < 2) {
    throw new Error(`non_local_block '${name}' needs at least 2x2 positions (it max-pools them), got [${x.shape}]; attach it to an earlier block (blocks_with_attention).`);
  }
  const flatten = (t: tf.Tensor4D) => tf.reshape(t, [b, t.shape[1] * t.shape[2], t.shape[3]]) as tf.Tensor3D;
  return scope(ctx, name, () => {
    // compare_gan: C/8 and C/2 (at least one channel, so narrow test models work too).
    const cAttn = Math.max(1, Math.floor(c / 8));
    const cG = Math.max(1, Math.floor(c / 2));
    const theta = flatten(conv1x1(ctx, x, cAttn, { name: 'conv2d_theta', use_sn: useSn, use_bias: false }));
    const phi = flatten(tf.maxPool(conv1x1(ctx, x, cAttn, { name: 'conv2d_phi', use_sn: useSn, use_bias: false }), 2, 2, 'valid'));
    const attn = tf.softmax(tf.matMul(theta, phi, false, true));
    const g = flatten(tf.maxPool(conv1x1(ctx, x, cG, { name: 'conv2d_g', use_sn: useSn, use_bias: false }), 2, 2, 'valid'));
    const attnG = tf.reshape(tf.matMul(attn, g), [b, h, w, cG]) as tf.Tensor4D;
    const sigma = ctx.store.get('sigma', [], constantInit(0));
    const o = conv1x1(ctx, attnG, c, { name: 'conv2d_attn_g', use_sn: useSn, use_bias: false });
    return tf.add(x, tf.mul(sigma, o));
  });
}
