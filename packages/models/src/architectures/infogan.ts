/**
 * InfoGAN's networks (Chen et al. 2016), compare_gan's infogan.py, `infogan_arch`.
 * G: linear 16ch (1024) -> batch norm -> lrelu -> linear 2ch*(h/4)*(w/4) -> batch norm -> lrelu
 * -> 4x4/2 deconvolution to ch (64) -> batch norm -> lrelu -> 4x4/2 deconvolution to the colors
 * -> sigmoid. G's batch norm is fixed (compare_gan ignores G.batch_norm_fn here); under a
 * conditional GAN it is class-conditional.
 * D: 4x4/2 conv ch -> lrelu -> 4x4/2 conv 2ch -> D norm -> lrelu -> linear 16ch -> D norm ->
 * lrelu (the features) -> linear logit. Heights and widths must be multiples of 4 (28, 32, 64...).
 * `infogan.Generator.ch` / `infogan.Discriminator.ch` default to 64 (compare_gan's widths).
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, t } from '@cgan/config-lang';
import { OpContext } from '../ops/context';
import { conv2d, deconv2d, linear, lrelu } from '../ops/layers';
import { AbstractDiscriminator, AbstractGenerator, DiscriminatorBody, DParams, GParams, NetKwargs, netKwargs } from './base';
import { registerArchitecture } from './registry';

function checkMultipleOf4(imageShape: [number, number, number]): void {
  const [h, w] = imageShape;
  if (h % 4 !== 0 || w % 4 !== 0) {
    throw new Error(`infogan_arch needs image height and width divisible by 4, the dataset's images are ${h}x${w}; use dcgan_arch or sndcgan_arch.`);
  }
}

@configurable('Generator', { module: 'infogan', params: { ch: { default: 64, type: t.int, doc: 'width multiplier (16ch, 2ch, ch)' } } })
export class Generator extends AbstractGenerator {
  private readonly ch: number;
  constructor(kw: NetKwargs & Partial<GParams> & { ch?: number }) {
    super(kw);
    checkMultipleOf4(this.imageShape);
    this.ch = kw.ch ?? 64;
  }

  protected build(ctx: OpContext, z: tf.Tensor2D, y: tf.Tensor2D | null): tf.Tensor4D {
    const ch = this.ch;
    const sn = this.spectralNorm;
    const [h, w, c] = this.imageShape;
    const bs = z.shape[0];
    const bnLrelu = <T extends tf.Tensor>(x: T, name: string) => lrelu(this.fixedBatchNorm(ctx, x, { y, name })) as T;
    let fc = bnLrelu(linear(ctx, z, 16 * ch, { scope: 'g_fc1', use_sn: sn }), 'g_bn1');
    fc = bnLrelu(linear(ctx, fc, 2 * ch * (h / 4) * (w / 4), { scope: 'g_fc2', use_sn: sn }), 'g_bn2');
    let net = tf.reshape(fc, [bs, h / 4, w / 4, 2 * ch]) as tf.Tensor4D;
    net = bnLrelu(deconv2d(ctx, net, [bs, h / 2, w / 2, ch], { k_h: 4, k_w: 4, d_h: 2, d_w: 2, name: 'g_dc3', use_sn: sn }), 'g_bn3');
    net = deconv2d(ctx, net, [bs, h, w, c], { k_h: 4, k_w: 4, d_h: 2, d_w: 2, name: 'g_dc4', use_sn: sn });
    return tf.sigmoid(net);
  }
}

@configurable('Discriminator', { module: 'infogan', params: { ch: { default: 64, type: t.int, doc: 'width multiplier (ch, 2ch, 16ch)' } } })
export class Discriminator extends AbstractDiscriminator {
  private readonly ch: number;
  constructor(kw: NetKwargs & Partial<DParams> & { ch?: number }) {
    super(kw);
    checkMultipleOf4(this.imageShape);
    this.ch = kw.ch ?? 64;
  }

  protected build(ctx: OpContext, x: tf.Tensor4D, y: tf.Tensor2D | null): DiscriminatorBody {
    const ch = this.ch;
    const sn = this.spectralNorm;
    const norm = <T extends tf.Tensor>(inp: T, i: number) => lrelu(this.maybeLayerNorm(ctx, this.batchNorm(ctx, inp, { y, name: `d_bn${i}` }), `d_ln${i}`)) as T;
    let net = lrelu(conv2d(ctx, x, ch, { k_h: 4, k_w: 4, d_h: 2, d_w: 2, name: 'd_conv1', use_sn: sn })) as tf.Tensor4D;
    net = norm(conv2d(ctx, net, 2 * ch, { k_h: 4, k_w: 4, d_h: 2, d_w: 2, name: 'd_conv2', use_sn: sn }), 2);
    let features = tf.reshape(net, [x.shape[0], -1]) as tf.Tensor2D;
    features = norm(linear(ctx, features, 16 * ch, { scope: 'd_fc3', use_sn: sn }), 3);
    return { logits: linear(ctx, features, 1, { scope: 'd_fc4', use_sn: sn }), features };
  }
}

export const infogan_arch = registerArchitecture(
  'infogan_arch',
  (o) => ({ generator: new Generator(netKwargs(o)), discriminator: new Discriminator(netKwargs(o)) }),
  'InfoGAN generator and discriminator (height and width multiples of 4)',
);
