/**
 * DCGAN (Radford et al. 2015), compare_gan's dcgan.py, registered as `dcgan_arch`.
 * G: linear to (h/16 x w/16 x 8*gf_dim), then four 5x5 stride-2 deconvolutions with
 * G.batch_norm_fn + ReLU between them, output 0.5 * tanh + 0.5.
 * D: four 5x5 stride-2 convolutions (df_dim, 2, 4, 8 x df_dim) with D.batch_norm_fn (and, in this
 * port, layer norm when D.layer_norm) + leaky ReLU, then a linear logit; features are the last
 * feature map, flattened. Any resolution (sizes halve with ceil, e.g. 28 -> 14 -> 7 -> 4 -> 2).
 *
 * Widths: `dcgan.Generator.gf_dim` and `dcgan.Discriminator.df_dim` (64, compare_gan's fixed
 * values; configurable here so small models can be built). G.spectral_norm applies to all of G's
 * weights (compare_gan's dcgan G ignored it).
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, t } from '@cgan/config-lang';
import { OpContext } from '../ops/context';
import { conv2d, deconv2d, linear, lrelu } from '../ops/layers';
import { AbstractDiscriminator, AbstractGenerator, DiscriminatorBody, DParams, GParams, NetKwargs, netKwargs } from './base';
import { registerArchitecture } from './registry';

export function convOutSizeSame(size: number, stride: number): number {
  return Math.ceil(size / stride);
}

@configurable('Generator', { module: 'dcgan', params: { gf_dim: { default: 64, type: t.int, doc: 'filters of the last deconvolution (x8, x4, x2 before)' } } })
export class Generator extends AbstractGenerator {
  private readonly gfDim: number;
  constructor(kw: NetKwargs & Partial<GParams> & { gf_dim?: number }) {
    super(kw);
    this.gfDim = kw.gf_dim ?? 64;
  }

  protected build(ctx: OpContext, z: tf.Tensor2D, y: tf.Tensor2D | null): tf.Tensor4D {
    const gf = this.gfDim;
    const sn = this.spectralNorm;
    const bs = z.shape[0];
    const [sH, sW, colors] = this.imageShape;
    const [sH2, sW2] = [convOutSizeSame(sH, 2), convOutSizeSame(sW, 2)];
    const [sH4, sW4] = [convOutSizeSame(sH2, 2), convOutSizeSame(sW2, 2)];
    const [sH8, sW8] = [convOutSizeSame(sH4, 2), convOutSizeSame(sW4, 2)];
    const [sH16, sW16] = [convOutSizeSame(sH8, 2), convOutSizeSame(sW8, 2)];
    const bnRelu = (x: tf.Tensor, name: string) => tf.relu(this.batchNorm(ctx, x, { z, y, name })) as tf.Tensor4D;

    let net: tf.Tensor4D = tf.reshape(linear(ctx, z, gf * 8 * sH16 * sW16, { scope: 'g_fc1', use_sn: sn }), [-1, sH16, sW16, gf * 8]);
    net = bnRelu(net, 'g_bn1');
    net = bnRelu(deconv2d(ctx, net, [bs, sH8, sW8, gf * 4], { k_h: 5, k_w: 5, d_h: 2, d_w: 2, name: 'g_dc1', use_sn: sn }), 'g_bn2');
    net = bnRelu(deconv2d(ctx, net, [bs, sH4, sW4, gf * 2], { k_h: 5, k_w: 5, d_h: 2, d_w: 2, name: 'g_dc2', use_sn: sn }), 'g_bn3');
    net = bnRelu(deconv2d(ctx, net, [bs, sH2, sW2, gf], { k_h: 5, k_w: 5, d_h: 2, d_w: 2, name: 'g_dc3', use_sn: sn }), 'g_bn4');
    net = deconv2d(ctx, net, [bs, sH, sW, colors], { k_h: 5, k_w: 5, d_h: 2, d_w: 2, name: 'g_dc4', use_sn: sn });
    return tf.add(tf.mul(tf.tanh(net), 0.5), 0.5);
  }
}

@configurable('Discriminator', { module: 'dcgan', params: { df_dim: { default: 64, type: t.int, doc: 'filters of the first convolution (x2, x4, x8 after)' } } })
export class Discriminator extends AbstractDiscriminator {
  private readonly dfDim: number;
  constructor(kw: NetKwargs & Partial<DParams> & { df_dim?: number }) {
    super(kw);
    this.dfDim = kw.df_dim ?? 64;
  }

  protected build(ctx: OpContext, x: tf.Tensor4D, y: tf.Tensor2D | null): DiscriminatorBody {
    const df = this.dfDim;
    const sn = this.spectralNorm;
    const conv = (inp: tf.Tensor4D, ch: number, name: string) => conv2d(ctx, inp, ch, { k_h: 5, k_w: 5, d_h: 2, d_w: 2, name, use_sn: sn });
    const normAct = (inp: tf.Tensor4D, i: number) => lrelu(this.maybeLayerNorm(ctx, this.batchNorm(ctx, inp, { y, name: `d_bn${i}` }), `d_ln${i}`)) as tf.Tensor4D;

    let net = lrelu(conv(x, df, 'd_conv1')) as tf.Tensor4D;
    net = normAct(conv(net, df * 2, 'd_conv2'), 1);
    net = normAct(conv(net, df * 4, 'd_conv3'), 2);
    net = normAct(conv(net, df * 8, 'd_conv4'), 3);
    const features = tf.reshape(net, [x.shape[0], -1]) as tf.Tensor2D;
    const logits = linear(ctx, features, 1, { scope: 'd_fc4', use_sn: sn });
    return { logits, features };
  }
}

export const dcgan_arch = registerArchitecture(
  'dcgan_arch',
  (o) => ({ generator: new Generator(netKwargs(o)), discriminator: new Discriminator(netKwargs(o)) }),
  'DCGAN generator and discriminator (any resolution)',
);
