/**
 * SNDCGAN (Miyato et al. 2018, the "standard CNN"), compare_gan's sndcgan.py, `sndcgan_arch`.
 * G: linear to (h/8 x w/8 x 8ch) with G.batch_norm_fn + ReLU, three 4x4 stride-2 deconvolutions
 * (4ch, 2ch, ch) with norm + ReLU, a 3x3 deconvolution to the colors, (tanh + 1) / 2.
 * D: input mapped to [-1, 1]; seven convolutions (3x3/1, 4x4/2 alternating; ch, 2ch, 2ch, 4ch,
 * 4ch, 8ch, 8ch) with leaky ReLU 0.1; linear logit on the flattened map (the features).
 * Any resolution. `sndcgan.Generator.ch` / `sndcgan.Discriminator.ch` default to 64 (compare_gan's
 * fixed widths). compare_gan's SNDCGAN D had no normalization besides spectral norm; here
 * D.batch_norm_fn and D.layer_norm (default off) apply after each convolution but the first.
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, t } from '@cgan/config-lang';
import { OpContext } from '../ops/context';
import { conv2d, deconv2d, linear, lrelu } from '../ops/layers';
import { AbstractDiscriminator, AbstractGenerator, DiscriminatorBody, DParams, GParams, NetKwargs, netKwargs } from './base';
import { convOutSizeSame } from './dcgan';
import { registerArchitecture } from './registry';

@configurable('Generator', { module: 'sndcgan', params: { ch: { default: 64, type: t.int, doc: 'width multiplier (layers 8ch, 4ch, 2ch, ch)' } } })
export class Generator extends AbstractGenerator {
  private readonly ch: number;
  constructor(kw: NetKwargs & Partial<GParams> & { ch?: number }) {
    super(kw);
    this.ch = kw.ch ?? 64;
  }

  protected build(ctx: OpContext, z: tf.Tensor2D, y: tf.Tensor2D | null): tf.Tensor4D {
    const ch = this.ch;
    const sn = this.spectralNorm;
    const bs = z.shape[0];
    const [sH, sW, colors] = this.imageShape;
    const [sH2, sW2] = [convOutSizeSame(sH, 2), convOutSizeSame(sW, 2)];
    const [sH4, sW4] = [convOutSizeSame(sH2, 2), convOutSizeSame(sW2, 2)];
    const [sH8, sW8] = [convOutSizeSame(sH4, 2), convOutSizeSame(sW4, 2)];
    const bnRelu = <T extends tf.Tensor>(x: T, name: string) => tf.relu(this.batchNorm(ctx, x, { z, y, name })) as T;
    const deconv = (x: tf.Tensor4D, shape: [number, number, number, number], k: number, s: number, name: string) =>
      deconv2d(ctx, x, shape, { k_h: k, k_w: k, d_h: s, d_w: s, name, use_sn: sn });

    const fc = bnRelu(linear(ctx, z, sH8 * sW8 * 8 * ch, { scope: 'g_fc1', use_sn: sn }), 'g_bn1');
    let net = tf.reshape(fc, [bs, sH8, sW8, 8 * ch]) as tf.Tensor4D;
    net = bnRelu(deconv(net, [bs, sH4, sW4, 4 * ch], 4, 2, 'g_dc2'), 'g_bn2');
    net = bnRelu(deconv(net, [bs, sH2, sW2, 2 * ch], 4, 2, 'g_dc3'), 'g_bn3');
    net = bnRelu(deconv(net, [bs, sH, sW, ch], 4, 2, 'g_dc4'), 'g_bn4');
    net = deconv(net, [bs, sH, sW, colors], 3, 1, 'g_dc5');
    return tf.div(tf.add(tf.tanh(net), 1), 2);
  }
}

@configurable('Discriminator', { module: 'sndcgan', params: { ch: { default: 64, type: t.int, doc: 'width multiplier (ch, 2ch, 2ch, 4ch, 4ch, 8ch, 8ch)' } } })
export class Discriminator extends AbstractDiscriminator {
  private readonly ch: number;
  constructor(kw: NetKwargs & Partial<DParams> & { ch?: number }) {
    super(kw);
    this.ch = kw.ch ?? 64;
  }

  protected build(ctx: OpContext, x: tf.Tensor4D, y: tf.Tensor2D | null): DiscriminatorBody {
    const ch = this.ch;
    const sn = this.spectralNorm;
    // compare_gan's images are in [0, 1]; SNDCGAN's authors used [-1, 1].
    let net = tf.sub(tf.mul(x, 2), 1) as tf.Tensor4D;
    const layers: Array<[number, number, number]> = [
      [ch, 3, 1], [2 * ch, 4, 2], [2 * ch, 3, 1], [4 * ch, 4, 2], [4 * ch, 3, 1], [8 * ch, 4, 2], [8 * ch, 3, 1],
    ];
    layers.forEach(([out, k, s], i) => {
      net = conv2d(ctx, net, out, { k_h: k, k_w: k, d_h: s, d_w: s, name: `d_conv${i + 1}`, use_sn: sn });
      if (i > 0) net = this.maybeLayerNorm(ctx, this.batchNorm(ctx, net, { y, name: `d_bn${i}` }), `d_ln${i}`) as tf.Tensor4D;
      net = lrelu(net, 0.1) as tf.Tensor4D;
    });
    const features = tf.reshape(net, [x.shape[0], -1]) as tf.Tensor2D;
    return { logits: linear(ctx, features, 1, { scope: 'd_fc1', use_sn: sn }), features };
  }
}

export const sndcgan_arch = registerArchitecture(
  'sndcgan_arch',
  (o) => ({ generator: new Generator(netKwargs(o)), discriminator: new Discriminator(netKwargs(o)) }),
  'SNDCGAN generator and discriminator (any resolution)',
);
