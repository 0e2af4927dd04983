/**
 * compare_gan's resnet5_biggan.py, `resnet5_biggan_arch` (consts.RESNET5_BIGGAN_ARCH): the
 * BigGAN re-implementation (Brock et al. 2018) under the name compare_gan's example config
 * biggan_imagenet128.gin uses. compare_gan later renamed the module resnet_biggan.py; the one
 * difference of this older module is that its block's shortcut kernel size is configurable
 * (`resnet5_biggan.BigGanResNetBlock.sc_kernel_size`, default 1). Resolutions 32, 64, 128, 256,
 * 512 (28x28 via pad/crop, see resnet_ops).
 *
 * Differences to resnet5 (as compare_gan lists them): much wider layers, 1x1 shortcut
 * convolutions, an unconditional last batch norm in G, tanh output ((tanh + 1) / 2 in [0, 1]),
 * no shortcut in a D block whose channels do not change, sum pooling in D, and D's last block
 * keeps the size.
 *
 * G: optional linear embeddings of z (`embed_z`) and of the one-hot labels (`embed_y`, shared by
 * all blocks); with `hierarchical_z` z is split into blocks + 1 equal chunks: the first feeds the
 * linear layer to 4x4, each other chunk (concatenated with the label embedding) conditions one
 * block's normalization (@conditional_batch_norm for conditional GANs); a non-local block follows
 * each block named in `blocks_with_attention`.
 * D: down-blocks, non-local blocks, ReLU, sum over space (features), linear logit, plus the
 * projection <embed(y), features> with a glorot-initialised `embedding_fc` kernel.
 *
 * Gin (compare_gan names and defaults): `resnet5_biggan.Generator.ch` (96),
 * `.blocks_with_attention` ("B4"), `.hierarchical_z` (True), `.embed_z` (False), `.embed_y`
 * (True), `.embed_y_dim` (128), `.embed_bias` (False); `resnet5_biggan.Discriminator.ch` (96),
 * `.blocks_with_attention` ("B1"), `.project_y`; `resnet5_biggan.BigGanResNetBlock.sc_kernel_size`
 * (1). One deliberate difference: `Discriminator.project_y` defaults to None here (D.project_y
 * decides, i.e. project exactly when the GAN is conditional) where compare_gan's True made every
 * unconditional GAN fail with "You must provide class information y to project"; binding True
 * or False behaves as in compare_gan.
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, t } from '@cgan/config-lang';
import { batch_norm } from '../ops/batch_norm';
import { OpContext, scope } from '../ops/context';
import { glorotInit, WeightInit } from '../ops/initializers';
import { conv2d, linear } from '../ops/layers';
import { non_local_block } from '../ops/non_local';
import { embedLabels } from '../ops/projection';
import { AbstractDiscriminator, AbstractGenerator, DiscriminatorBody, DParams, GParams, NetKwargs, netKwargs } from './base';
import { registerArchitecture } from './registry';
import { cropTo, padTo, ResNetBlock, ResNetBlockOptions, resnetResolution, ResNetResolution, splitZ } from './resnet_ops';

const MODULE = 'resnet5_biggan';
const ARCH = 'resnet5_biggan_arch';
const SUPPORTED = [32, 64, 128, 256, 512];

/** G's channel multipliers: the input of the first block, then each block's output. */
export const G_CHANNEL_MULTIPLIERS: Readonly<Record<number, readonly number[]>> = {
  512: [16, 16, 8, 8, 4, 2, 1, 1],
  256: [16, 16, 8, 8, 4, 2, 1],
  128: [16, 16, 8, 4, 2, 1],
  64: [16, 16, 8, 4, 2],
  32: [4, 4, 4, 4],
};

/** D's channel multipliers: each block's output (the first block's input is the image). */
export const D_CHANNEL_MULTIPLIERS: Readonly<Record<number, readonly number[]>> = {
  512: [1, 1, 2, 4, 8, 8, 16, 16],
  256: [1, 2, 4, 8, 8, 16, 16],
  128: [1, 2, 4, 8, 16, 16],
  64: [2, 4, 8, 16, 16],
  32: [2, 2, 2, 2],
};

/** Block names followed by a non-local block ("B4" or "B1,B3"); compare_gan splits on ",". */
function attentionBlocks(spec: string | null | undefined): Set<string> {
  return new Set(String(spec ?? '').split(',').map((s) => s.trim()).filter(Boolean));
}

function checkCh(what: string, ch: number): void {
  if (!Number.isInteger(ch) || ch < 1) throw new Error(`${what}.ch must be a positive integer channel multiplier, got ${ch}.`);
}

export interface BigGanResNetBlockKwargs extends ResNetBlockOptions {
  /** Whether the block has a shortcut connection (D leaves it out where channels are unchanged). */
  add_shortcut?: boolean;
  /** Kernel size of the shortcut convolution (Gin: resnet5_biggan.BigGanResNetBlock.sc_kernel_size). */
  sc_kernel_size?: number;
}

/**
 * compare_gan's resnet5_biggan.BigGanResNetBlock: norm-ReLU-conv twice, then the (optional)
 * shortcut, a `sc_kernel_size` x `sc_kernel_size` convolution of the block's input, added last.
 * Only `sc_kernel_size` is configurable (compare_gan's whitelist).
 */
@configurable('BigGanResNetBlock', {
  module: MODULE,
  params: { sc_kernel_size: { default: 1, type: t.int, doc: 'kernel size of the shortcut convolution' } },
  allowlist: ['sc_kernel_size'],
})
export class BigGanResNetBlock extends ResNetBlock {
  private readonly addShortcut: boolean;
  private readonly scKernelSize: number;

  constructor(kw: BigGanResNetBlockKwargs) {
    super(kw);
    this.addShortcut = kw.add_shortcut ?? true;
    this.scKernelSize = kw.sc_kernel_size ?? 1;
    if (!Number.isInteger(this.scKernelSize) || this.scKernelSize < 1) {
      throw new Error(`resnet5_biggan.BigGanResNetBlock.sc_kernel_size must be a positive integer, got ${this.scKernelSize}.`);
    }
  }

  apply(ctx: OpContext, inputs: tf.Tensor4D, z: tf.Tensor2D | null, y: tf.Tensor2D | null): tf.Tensor4D {
    const { inChannels: cin, outChannels: cout } = this.o;
    return scope(ctx, this.o.name, () => {
      let out = tf.relu(this.norm(ctx, inputs, 1, z, y));
      out = this.conv(ctx, out, cin, cout, this.scale1, 'conv1');
      out = tf.relu(this.norm(ctx, out, 2, z, y));
      out = this.conv(ctx, out, cout, cout, this.scale2, 'conv2');
      if (this.addShortcut) out = tf.add(out, this.conv(ctx, inputs, cin, cout, this.o.scale, 'conv_shortcut', this.scKernelSize));
      return out;
    });
  }
}

export interface GeneratorParams {
  ch?: number;
  blocks_with_attention?: string;
  hierarchical_z?: boolean;
  embed_z?: boolean;
  embed_y?: boolean;
  embed_y_dim?: number;
  embed_bias?: boolean;
}

/** compare_gan's resnet5_biggan.Generator. */
@configurable('Generator', {
  module: MODULE,
  params: {
    ch: { default: 96, type: t.int, doc: 'channel multiplier' },
    blocks_with_attention: { default: 'B4', type: t.string, doc: 'comma-separated blocks followed by a non-local block' },
    hierarchical_z: { default: true, type: t.bool, doc: 'split z into chunks: one for the input layer, one per block (concatenated to y)' },
    embed_z: { default: false, type: t.bool, doc: 'use a learned linear embedding of z (same size) instead of z' },
    embed_y: { default: true, type: t.bool, doc: 'use a learned linear embedding of the one-hot labels instead of y' },
    embed_y_dim: { default: 128, type: t.int, doc: 'size of the label embedding' },
    embed_bias: { default: false, type: t.bool, doc: 'bias in the z and y embeddings' },
  },
})
export class Generator extends AbstractGenerator {
  private readonly res: ResNetResolution;
  private readonly p: Required<GeneratorParams>;
  private readonly attention: Set<string>;

  constructor(kw: NetKwargs & Partial<GParams> & GeneratorParams) {
    super(kw);
    this.res = resnetResolution(ARCH, this.imageShape, SUPPORTED);
    this.p = {
      ch: kw.ch ?? 96,
      blocks_with_attention: kw.blocks_with_attention ?? 'B4',
      hierarchical_z: kw.hierarchical_z ?? true,
      embed_z: kw.embed_z ?? false,
      embed_y: kw.embed_y ?? true,
      embed_y_dim: kw.embed_y_dim ?? 128,
      embed_bias: kw.embed_bias ?? false,
    };
    checkCh('resnet5_biggan.Generator', this.p.ch);
    if (!Number.isInteger(this.p.embed_y_dim) || this.p.embed_y_dim < 1) {
      throw new Error(`resnet5_biggan.Generator.embed_y_dim must be a positive integer, got ${this.p.embed_y_dim}.`);
    }
    this.attention = attentionBlocks(this.p.blocks_with_attention);
  }

  /** Input and output channels of each block (compare_gan's _get_in_out_channels). */
  inOutChannels(): { inChannels: number[]; outChannels: number[] } {
    const m = G_CHANNEL_MULTIPLIERS[this.res.size].map((c) => c * this.p.ch);
    return { inChannels: m.slice(0, -1), outChannels: m.slice(1) };
  }

  /** How many equal chunks z is split into: blocks + 1 with hierarchical_z, else 1. */
  numZChunks(): number {
    return this.p.hierarchical_z ? G_CHANNEL_MULTIPLIERS[this.res.size].length : 1;
  }

  protected build(ctx: OpContext, z: tf.Tensor2D, y: tf.Tensor2D | null): tf.Tensor4D {
    const seedSize = 4;
    const sn = this.spectralNorm;
    const { inChannels, outChannels } = this.inOutChannels();
    const numBlocks = inChannels.length;
    if (this.p.embed_z) z = linear(ctx, z, z.shape[1], { scope: 'embed_z', use_sn: false, use_bias: this.p.embed_bias });
    // compare_gan embeds y unconditionally (and fails without labels); here only when given.
    if (this.p.embed_y && y) y = embedLabels(ctx, y, this.p.embed_y_dim, { scope: 'embed_y', use_bias: this.p.embed_bias });
    let z0 = z;
    let zPerBlock: tf.Tensor2D[] = Array(numBlocks).fill(z);
    let yPerBlock: Array<tf.Tensor2D | null> = Array(numBlocks).fill(y);
    if (this.p.hierarchical_z) {
      [z0, ...zPerBlock] = splitZ('resnet5_biggan.Generator', z, numBlocks + 1);
      const labels = y;
      if (labels) yPerBlock = zPerBlock.map((zi) => tf.concat([zi, labels], 1) as tf.Tensor2D);
    }
    const seed = linear(ctx, z0, inChannels[0] * seedSize * seedSize, { scope: 'fc_noise', use_sn: sn });
    let net = tf.reshape(seed, [-1, seedSize, seedSize, inChannels[0]]) as tf.Tensor4D;
    const norms = { batchNorm: this.batchNorm.bind(this) };
    for (let i = 0; i < numBlocks; i++) {
      const name = `B${i + 1}`;
      const block = new BigGanResNetBlock({ name, inChannels: inChannels[i], outChannels: outChannels[i], scale: 'up', isGenBlock: true, spectralNorm: sn, norms });
      net = block.apply(ctx, net, zPerBlock[i], yPerBlock[i]);
      if (this.attention.has(name)) net = non_local_block(ctx, net, 'non_local_block', sn);
    }
    // The last batch norm is unconditional (plain batch norm, whatever G.batch_norm_fn is).
    net = tf.relu(batch_norm({ ctx, inputs: net, is_training: ctx.isTraining, name: 'final_norm' }) as tf.Tensor) as tf.Tensor4D;
    net = conv2d(ctx, net, this.imageShape[2], { k_h: 3, k_w: 3, d_h: 1, d_w: 1, name: 'final_conv', use_sn: sn });
    return cropTo(tf.div(tf.add(tf.tanh(net), 1), 2) as tf.Tensor4D, this.res);
  }
}

export interface DiscriminatorParams {
  ch?: number;
  blocks_with_attention?: string;
}

/** compare_gan's resnet5_biggan.Discriminator. */
@configurable('Discriminator', {
  module: MODULE,
  params: {
    ch: { default: 96, type: t.int, doc: 'channel multiplier' },
    blocks_with_attention: { default: 'B1', type: t.string, doc: 'comma-separated blocks followed by a non-local block' },
    project_y: { default: null, type: t.optional(t.bool), doc: 'add the projection <embed(y), features> to the logit (None: D.project_y, i.e. when conditional)' },
  },
})
export class Discriminator extends AbstractDiscriminator {
  private readonly res: ResNetResolution;
  private readonly ch: number;
  private readonly attention: Set<string>;

  constructor(kw: NetKwargs & Partial<DParams> & DiscriminatorParams) {
    super(kw);
    this.res = resnetResolution(ARCH, this.imageShape, SUPPORTED);
    this.ch = kw.ch ?? 96;
    checkCh('resnet5_biggan.Discriminator', this.ch);
    this.attention = attentionBlocks(kw.blocks_with_attention ?? 'B1');
  }

  /** Input and output channels of each block for `colors` input channels. */
  inOutChannels(colors: number): { inChannels: number[]; outChannels: number[] } {
    const outChannels = D_CHANNEL_MULTIPLIERS[this.res.size].map((c) => c * this.ch);
    return { inChannels: [colors, ...outChannels.slice(0, -1)], outChannels };
  }

  /** compare_gan initialises the projection kernel with glorot_normal, not `weights`. */
  protected projectionInitializer(): WeightInit {
    return glorotInit();
  }

  protected build(ctx: OpContext, x: tf.Tensor4D, y: tf.Tensor2D | null): DiscriminatorBody {
    const sn = this.spectralNorm;
    const { inChannels, outChannels } = this.inOutChannels(x.shape[3]);
    const norms = { batchNorm: this.batchNorm.bind(this), layerNorm: this.layerNorm ? this.maybeLayerNorm.bind(this) : undefined };
    let net = padTo(x, this.res);
    for (let i = 0; i < inChannels.length; i++) {
      const name = `B${i + 1}`;
      const last = i === inChannels.length - 1;
      const block = new BigGanResNetBlock({
        name, inChannels: inChannels[i], outChannels: outChannels[i], scale: last ? 'none' : 'down', isGenBlock: false, spectralNorm: sn, norms,
        add_shortcut: inChannels[i] !== outChannels[i],
      });
      net = block.apply(ctx, net, null, y);
      if (this.attention.has(name)) net = non_local_block(ctx, net, 'non_local_block', sn);
    }
    const features = tf.sum(tf.relu(net), [1, 2]) as tf.Tensor2D;
    return { logits: linear(ctx, features, 1, { scope: 'final_fc', use_sn: sn }), features };
  }
}

export const resnet5_biggan_arch = registerArchitecture(
  ARCH,
  (o) => {
    const generator = new Generator(netKwargs(o));
    const chunks = generator.numZChunks();
    if (chunks > 1 && o.zDim % chunks !== 0) {
      throw new Error(
        `resnet5_biggan.Generator.hierarchical_z splits z into ${chunks} chunks at ${o.imageShape[0]}x${o.imageShape[1]}, ` +
          `but options.z_dim = ${o.zDim} is not divisible by ${chunks}; use e.g. options.z_dim = ${chunks * Math.max(1, Math.round(o.zDim / chunks))} ` +
          'or resnet5_biggan.Generator.hierarchical_z = False.',
      );
    }
    return { generator, discriminator: new Discriminator(netKwargs(o)) };
  },
  "compare_gan's resnet5_biggan (BigGAN, as in biggan_imagenet128.gin): 32, 64, 128, 256, 512; 28x28 via pad/crop",
);
