/**
 * compare_gan's resnet5.py (after Gulrajani et al.'s 64x64 WGAN-GP ResNet), `resnet5_arch`:
 * five residual blocks in G and in D. Resolutions 4 * 2^k up to 128 (G upsamples in its first
 * log2(size / 4) blocks); 28x28 via pad/crop (see resnet_ops).
 * G: linear -> 4x4 x ch*channels[0], blocks ch*channels[i] -> ch*channels[i+1], final norm, ReLU,
 * 3x3 conv, sigmoid. D: B0 (colors -> ch, down), B1..B5 (down), ReLU, mean over space, logit.
 *
 * Gin (this port; compare_gan's resnet5 classes were not configurable):
 * `resnet5.Generator.ch` (64), `.channels` ([8, 8, 4, 4, 2, 1]), `resnet5.Discriminator.ch`
 * (64), `.channels` ([1, 2, 4, 4, 8, 8]). G.spectral_norm covers every G weight (compare_gan
 * left fc_noise and final_conv unnormalised).
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, t } from '@cgan/config-lang';
import { OpContext } from '../ops/context';
import { conv2d, linear } from '../ops/layers';
import { AbstractDiscriminator, AbstractGenerator, DiscriminatorBody, DParams, GParams, NetKwargs, netKwargs } from './base';
import { registerArchitecture } from './registry';
import { cropTo, padTo, ResNetBlock, resnetResolution, ResNetResolution } from './resnet_ops';

const ARCH = 'resnet5_arch';
const SUPPORTED = [4, 8, 16, 32, 64, 128];

function checkChannels(what: string, channels: number[]): void {
  if (!Array.isArray(channels) || channels.length !== 6 || channels.some((c) => !Number.isInteger(c) || c < 1)) {
    throw new Error(`${what}.channels must list 6 positive integer multipliers (block inputs and outputs), got ${JSON.stringify(channels)}.`);
  }
}

@configurable('Generator', {
  module: 'resnet5',
  params: {
    ch: { default: 64, type: t.int, doc: 'channel multiplier' },
    channels: { default: [8, 8, 4, 4, 2, 1], type: t.list(t.int), doc: 'multipliers of the input and of each block output' },
  },
})
export class Generator extends AbstractGenerator {
  private readonly res: ResNetResolution;
  private readonly ch: number;
  private readonly channels: number[];
  constructor(kw: NetKwargs & Partial<GParams> & { ch?: number; channels?: number[] }) {
    super(kw);
    this.res = resnetResolution(ARCH, this.imageShape, SUPPORTED);
    this.ch = kw.ch ?? 64;
    this.channels = kw.channels ?? [8, 8, 4, 4, 2, 1];
    checkChannels('resnet5.Generator', this.channels);
  }

  protected build(ctx: OpContext, z: tf.Tensor2D, y: tf.Tensor2D | null): tf.Tensor4D {
    const { ch, channels } = this;
    const sn = this.spectralNorm;
    const seed = 4;
    const upLayers = Math.log2(this.res.size / seed);
    let net = tf.reshape(linear(ctx, z, ch * channels[0] * seed * seed, { scope: 'fc_noise', use_sn: sn }), [-1, seed, seed, ch * channels[0]]) as tf.Tensor4D;
    const norms = { batchNorm: this.batchNorm.bind(this) };
    for (let i = 0; i < 5; i++) {
      const block = new ResNetBlock({
        name: `B${i + 1}`, inChannels: ch * channels[i], outChannels: ch * channels[i + 1], scale: i < upLayers ? 'up' : 'none', isGenBlock: true, spectralNorm: sn, norms,
      });
      net = block.apply(ctx, net, z, y);
    }
    net = tf.relu(this.batchNorm(ctx, net, { z, y, name: 'final_norm' })) as tf.Tensor4D;
    net = conv2d(ctx, net, this.imageShape[2], { k_h: 3, k_w: 3, d_h: 1, d_w: 1, name: 'final_conv', use_sn: sn });
    return cropTo(tf.sigmoid(net), this.res);
  }
}

@configurable('Discriminator', {
  module: 'resnet5',
  params: {
    ch: { default: 64, type: t.int, doc: 'channel multiplier' },
    channels: { default: [1, 2, 4, 4, 8, 8], type: t.list(t.int), doc: 'multipliers of each block input and the last output' },
  },
})
export class Discriminator extends AbstractDiscriminator {
  private readonly res: ResNetResolution;
  private readonly ch: number;
  private readonly channels: number[];
  constructor(kw: NetKwargs & Partial<DParams> & { ch?: number; channels?: number[] }) {
    super(kw);
    this.res = resnetResolution(ARCH, this.imageShape, SUPPORTED);
    this.ch = kw.ch ?? 64;
    this.channels = kw.channels ?? [1, 2, 4, 4, 8, 8];
    checkChannels('resnet5.Discriminator', this.channels);
  }

  protected build(ctx: OpContext, x: tf.Tensor4D, y: tf.Tensor2D | null): DiscriminatorBody {
    const { ch, channels } = this;
    const sn = this.spectralNorm;
    const norms = { batchNorm: this.batchNorm.bind(this), layerNorm: this.layerNorm ? this.maybeLayerNorm.bind(this) : undefined };
    const block = (name: string, cin: number, cout: number) => new ResNetBlock({ name, inChannels: cin, outChannels: cout, scale: 'down', isGenBlock: false, spectralNorm: sn, norms });
    let net = block('B0', x.shape[3], ch).apply(ctx, padTo(x, this.res), null, y);
    for (let i = 0; i < 5; i++) net = block(`B${i + 1}`, ch * channels[i], ch * channels[i + 1]).apply(ctx, net, null, y);
    const features = tf.mean(tf.relu(net), [1, 2]) as tf.Tensor2D;
    return { logits: linear(ctx, features, 1, { scope: 'disc_final_fc', use_sn: sn }), features };
  }
}

export const resnet5_arch = registerArchitecture(
  'resnet5_arch',
  (o) => ({ generator: new Generator(netKwargs(o)), discriminator: new Discriminator(netKwargs(o)) }),
  'Five-block ResNet (resolutions 4 * 2^k up to 128; 28x28 via pad/crop)',
);
