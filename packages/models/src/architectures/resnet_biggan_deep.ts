/**
 * compare_gan's resnet_biggan_deep.py, `resnet_biggan_deep_arch` (consts.RESNET_BIGGAN_DEEP_ARCH):
 * BigGAN-deep (Brock et al. 2018). Resolutions 32, 64, 128, 256, 512 (28x28 via pad/crop, see
 * resnet_ops).
 *
 * Differences to BigGAN (resnet_biggan) as compare_gan lists them: z is not chunked — every
 * batch norm gets the concatenation of z and the class embedding (which also feeds fc_noise);
 * twice as many blocks (G alternates same-size and upsampling blocks, D downsampling and
 * same-size ones); bottleneck blocks (1x1 conv to max(in, out) / 4 channels, two 3x3 convs, 1x1
 * conv to the output channels, each after norm + ReLU); identity skip connections (G drops
 * surplus channels, D appends a 1x1 conv's output for the missing ones); the self-attention
 * block always sits at 64x64; ch defaults to 128; D starts with a 3x3 `initial_conv`. D pools
 * by summing over space (compare_gan's docstring says mean, its code sums; this follows the code).
 *
 * Gin (compare_gan names and defaults): `resnet_biggan_deep.Generator.ch` (128), `.embed_y`
 * (True), `.embed_y_dim` (128), `.experimental_fast_conv_to_rgb` (False: a 3x3 conv to 128
 * channels then the first `colors` kept, compare_gan's TPU speed trick);
 * `resnet_biggan_deep.Discriminator.ch` (128), `.blocks_with_attention` ("B1"; accepted but
 * unused, as in compare_gan: attention is placed by resolution), `.project_y` (None here: D.project_y decides, i.e.
 * project when conditional; compare_gan's True failed for unconditional GANs).
 * Narrow test models: the bottleneck keeps at least one channel (compare_gan would build 0).
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, t } from '@cgan/config-lang';
import { batch_norm } from '../ops/batch_norm';
import { OpContext, scope } from '../ops/context';
import { glorotInit, WeightInit } from '../ops/initializers';
import { conv1x1, conv2d, linear } from '../ops/layers';
import { non_local_block } from '../ops/non_local';
import { embedLabels } from '../ops/projection';
import { AbstractDiscriminator, AbstractGenerator, DiscriminatorBody, DParams, GParams, NetKwargs, netKwargs } from './base';
import { registerArchitecture } from './registry';
import { BlockNorms, cropTo, padTo, resnetResolution, ResNetResolution, Scale, unpool } from './resnet_ops';

const MODULE = 'resnet_biggan_deep';
const ARCH = 'resnet_biggan_deep_arch';
const SUPPORTED = [32, 64, 128, 256, 512];
/** The resolution of the self-attention block. */
const ATTENTION_SIZE = 64;

const rep = (n: number, v: number): number[] => Array(n).fill(v);

/** G's multipliers (compare_gan / the paper's tables 7-9): input of block 1, then each output. */
export const G_CHANNEL_MULTIPLIERS: Readonly<Record<number, readonly number[]>> = {
  512: [...rep(4, 16), ...rep(4, 8), 4, 4, 2, 2, 1, 1, 1],
  256: [...rep(4, 16), ...rep(4, 8), 4, 4, 2, 2, 1],
  128: [...rep(4, 16), ...rep(2, 8), 4, 4, 2, 2, 1],
  64: [...rep(4, 16), ...rep(2, 8), 4, 4, 2],
  32: rep(8, 4),
};

/** D's multipliers: input of block 1 (after initial_conv), then each output. */
export const D_CHANNEL_MULTIPLIERS: Readonly<Record<number, readonly number[]>> = {
  512: [1, 1, 1, 2, 2, 4, 4, ...rep(4, 8), ...rep(4, 16)],
  256: [1, 2, 2, 4, 4, ...rep(4, 8), ...rep(4, 16)],
  128: [1, 2, 2, 4, 4, ...rep(2, 8), ...rep(4, 16)],
  64: [2, 4, 4, ...rep(2, 8), ...rep(4, 16)],
  32: rep(8, 2),
};

function checkCh(what: string, ch: number): void {
  if (!Number.isInteger(ch) || ch < 1) throw new Error(`${what}.ch must be a positive integer channel multiplier, got ${ch}.`);
}

export interface BigGanDeepResNetBlockOptions {
  name: string;
  inChannels: number;
  outChannels: number;
  scale: Scale;
  spectralNorm: boolean;
  norms: BlockNorms;
}

/**
 * compare_gan's BigGanDeepResNetBlock: four (norm, ReLU, conv) stages — 1x1 to the bottleneck,
 * [unpool] 3x3, 3x3, [avg-pool] 1x1 to the output channels — plus an identity-preserving skip.
 */
export class BigGanDeepResNetBlock {
  constructor(private readonly o: BigGanDeepResNetBlockOptions) {}

  /** The skip connection: drop (G, up) or add via a 1x1 conv (D, down) channels; resample. */
  private shortcut(ctx: OpContext, inputs: tf.Tensor4D): tf.Tensor4D {
    const { outChannels, scale, spectralNorm } = this.o;
    return scope(ctx, 'shortcut', () => {
      const channels = inputs.shape[3];
      let out = inputs;
      if (channels > outChannels) {
        if (scale !== 'up') throw new Error(`BigGAN-deep block ${this.o.name}: reducing channels ${channels} -> ${outChannels} needs an upsampling block.`);
        out = tf.slice(out, [0, 0, 0, 0], [-1, -1, -1, outChannels]);
      }
      if (scale === 'up') out = unpool(out);
      if (scale === 'down') out = tf.avgPool(out, 2, 2, 'same');
      if (channels < outChannels) {
        if (scale !== 'down') throw new Error(`BigGAN-deep block ${this.o.name}: adding channels ${channels} -> ${outChannels} needs a downsampling block.`);
        const added = conv1x1(ctx, out, outChannels - channels, { name: 'add_channels', use_sn: spectralNorm });
        out = tf.concat([out, added], 3);
      }
      return out;
    });
  }

  apply(ctx: OpContext, inputs: tf.Tensor4D, z: tf.Tensor2D | null, y: tf.Tensor2D | null): tf.Tensor4D {
    const { name, inChannels, outChannels, scale, spectralNorm: sn, norms } = this.o;
    if (inputs.shape[3] !== inChannels) {
      throw new Error(`BigGAN-deep block ${name}: expected ${inChannels} input channels, got ${inputs.shape[3]}.`);
    }
    const bottleneck = Math.max(1, Math.floor(Math.max(inChannels, outChannels) / 4));
    const normRelu = (x: tf.Tensor4D) => tf.relu(norms.batchNorm(ctx, x, { name: 'bn', z, y })) as tf.Tensor4D;
    const conv3x3 = (x: tf.Tensor4D, c: number) => conv2d(ctx, x, c, { k_h: 3, k_w: 3, d_h: 1, d_w: 1, name: '3x3_conv', use_sn: sn });
    return scope(ctx, name, () => {
      let out = scope(ctx, 'conv1', () => conv1x1(ctx, normRelu(inputs), bottleneck, { name: '1x1_conv', use_sn: sn }));
      out = scope(ctx, 'conv2', () => {
        let h = normRelu(out);
        if (scale === 'up') h = unpool(h);
        return conv3x3(h, bottleneck);
      });
      out = scope(ctx, 'conv3', () => conv3x3(normRelu(out), bottleneck));
      out = scope(ctx, 'conv4', () => {
        let h = normRelu(out);
        if (scale === 'down') h = tf.avgPool(h, 2, 2, 'same');
        return conv1x1(ctx, h, outChannels, { name: '1x1_conv', use_sn: sn });
      });
      return tf.add(out, this.shortcut(ctx, inputs));
    });
  }
}

export interface GeneratorParams {
  ch?: number;
  embed_y?: boolean;
  embed_y_dim?: number;
  experimental_fast_conv_to_rgb?: boolean;
}

/** compare_gan's resnet_biggan_deep.Generator. */
@configurable('Generator', {
  module: MODULE,
  params: {
    ch: { default: 128, type: t.int, doc: 'channel multiplier' },
    embed_y: { default: true, type: t.bool, doc: 'use a learned linear embedding of the one-hot labels instead of y' },
    embed_y_dim: { default: 128, type: t.int, doc: 'size of the label embedding' },
    experimental_fast_conv_to_rgb: { default: false, type: t.bool, doc: 'final 3x3 conv to 128 channels, keeping the first `colors` (TPU speed trick)' },
  },
})
export class Generator extends AbstractGenerator {
  private readonly res: ResNetResolution;
  private readonly p: Required<GeneratorParams>;

  constructor(kw: NetKwargs & Partial<GParams> & GeneratorParams) {
    super(kw);
    this.res = resnetResolution(ARCH, this.imageShape, SUPPORTED);
    this.p = {
      ch: kw.ch ?? 128,
      embed_y: kw.embed_y ?? true,
      embed_y_dim: kw.embed_y_dim ?? 128,
      experimental_fast_conv_to_rgb: kw.experimental_fast_conv_to_rgb ?? false,
    };
    checkCh('resnet_biggan_deep.Generator', this.p.ch);
    if (!Number.isInteger(this.p.embed_y_dim) || this.p.embed_y_dim < 1) {
      throw new Error(`resnet_biggan_deep.Generator.embed_y_dim must be a positive integer, got ${this.p.embed_y_dim}.`);
    }
  }

  /** Input and output channels of each block. */
  inOutChannels(): { inChannels: number[]; outChannels: number[] } {
    const m = G_CHANNEL_MULTIPLIERS[this.res.size].map((c) => c * this.p.ch);
    return { inChannels: m.slice(0, -1), outChannels: m.slice(1) };
  }

  protected build(ctx: OpContext, z: tf.Tensor2D, y: tf.Tensor2D | null): tf.Tensor4D {
    const seedSize = 4;
    const sn = this.spectralNorm;
    // compare_gan embeds y unconditionally (and fails without labels); here only when given.
    if (this.p.embed_y && y) y = embedLabels(ctx, y, this.p.embed_y_dim, { scope: 'embed_y', use_bias: false });
    if (y) {
      y = tf.concat([z, y], 1) as tf.Tensor2D;
      z = y;
    }
    const { inChannels, outChannels } = this.inOutChannels();
    const seed = linear(ctx, z, inChannels[0] * seedSize * seedSize, { scope: 'fc_noise', use_sn: sn });
    let net = tf.reshape(seed, [-1, seedSize, seedSize, inChannels[0]]) as tf.Tensor4D;
    const norms = { batchNorm: this.batchNorm.bind(this) };
    for (let i = 0; i < inChannels.length; i++) {
      const scale: Scale = i % 2 === 0 ? 'none' : 'up';
      net = new BigGanDeepResNetBlock({ name: `B${i + 1}`, inChannels: inChannels[i], outChannels: outChannels[i], scale, spectralNorm: sn, norms }).apply(ctx, net, z, y);
      if (scale === 'up' && net.shape[1] === ATTENTION_SIZE) net = non_local_block(ctx, net, 'non_local_block', sn);
    }
    // The last batch norm is unconditional.
    net = tf.relu(batch_norm({ ctx, inputs: net, is_training: ctx.isTraining, name: 'final_norm' }) as tf.Tensor) as tf.Tensor4D;
    const colors = this.imageShape[2];
    const finalConv = (c: number) => conv2d(ctx, net, c, { k_h: 3, k_w: 3, d_h: 1, d_w: 1, name: 'final_conv', use_sn: sn });
    net = this.p.experimental_fast_conv_to_rgb ? tf.slice(finalConv(128), [0, 0, 0, 0], [-1, -1, -1, colors]) : finalConv(colors);
    return cropTo(tf.div(tf.add(tf.tanh(net), 1), 2) as tf.Tensor4D, this.res);
  }
}

export interface DiscriminatorParams {
  ch?: number;
  blocks_with_attention?: string;
}

/** compare_gan's resnet_biggan_deep.Discriminator. */
@configurable('Discriminator', {
  module: MODULE,
  params: {
    ch: { default: 128, type: t.int, doc: 'channel multiplier' },
    blocks_with_attention: { default: 'B1', type: t.string, doc: 'accepted for compatibility; unused (attention is at 64x64), as in compare_gan' },
    project_y: { default: null, type: t.optional(t.bool), doc: 'add the projection <embed(y), features> to the logit (None: D.project_y, i.e. when conditional)' },
  },
})
export class Discriminator extends AbstractDiscriminator {
  private readonly res: ResNetResolution;
  private readonly ch: number;

  constructor(kw: NetKwargs & Partial<DParams> & DiscriminatorParams) {
    super(kw);
    this.res = resnetResolution(ARCH, this.imageShape, SUPPORTED);
    this.ch = kw.ch ?? 128;
    checkCh('resnet_biggan_deep.Discriminator', this.ch);
  }

  /** Input and output channels of each block. */
  inOutChannels(): { inChannels: number[]; outChannels: number[] } {
    const m = D_CHANNEL_MULTIPLIERS[this.res.size].map((c) => c * this.ch);
    return { inChannels: m.slice(0, -1), outChannels: m.slice(1) };
  }

  /** compare_gan initialises the projection kernel with glorot_normal, not `weights`. */
  protected projectionInitializer(): WeightInit {
    return glorotInit();
  }

  protected build(ctx: OpContext, x: tf.Tensor4D, y: tf.Tensor2D | null): DiscriminatorBody {
    const sn = this.spectralNorm;
    const { inChannels, outChannels } = this.inOutChannels();
    const norms = { batchNorm: this.batchNorm.bind(this), layerNorm: undefined };
    let net = conv2d(ctx, padTo(x, this.res), inChannels[0], { k_h: 3, k_w: 3, d_h: 1, d_w: 1, name: 'initial_conv', use_sn: sn });
    for (let i = 0; i < inChannels.length; i++) {
      const scale: Scale = i % 2 === 0 ? 'down' : 'none';
      net = new BigGanDeepResNetBlock({ name: `B${i + 1}`, inChannels: inChannels[i], outChannels: outChannels[i], scale, spectralNorm: sn, norms }).apply(ctx, net, null, y);
      if (scale === 'none' && net.shape[1] === ATTENTION_SIZE) net = non_local_block(ctx, net, 'non_local_block', sn);
    }
    const features = tf.sum(tf.relu(net), [1, 2]) as tf.Tensor2D;
    return { logits: linear(ctx, features, 1, { scope: 'final_fc', use_sn: sn }), features };
  }
}

export const resnet_biggan_deep_arch = registerArchitecture(
  ARCH,
  (o) => ({ generator: new Generator(netKwargs(o)), discriminator: new Discriminator(netKwargs(o)) }),
  'BigGAN-deep: bottleneck blocks, identity skips, attention at 64x64 (32, 64, 128, 256, 512; 28x28 via pad/crop)',
);
