/**
 * BigGAN (Brock et al. 2018) as compare_gan re-implemented it (resnet_biggan.py),
 * `resnet_biggan_arch`. Resolutions 32, 64, 128, 256, 512 (28x28 via pad/crop, see resnet_ops).
 *
 * G: hierarchical z (z split into one chunk for the input layer and one per block, each
 * concatenated with the shared class embedding `embed_y` and fed to the blocks' normalization —
 * @conditional_batch_norm for a conditional GAN), linear to 4x4, up-blocks with 1x1 shortcuts,
 * a non-local (self-attention) block after the blocks named in `blocks_with_attention`, an
 * unconditional final batch norm, ReLU, 3x3 conv, (tanh + 1) / 2.
 * D: down-blocks (the last one keeps the size; no shortcut where channels are unchanged), a
 * non-local block after `blocks_with_attention`, ReLU, sum over space (the features), linear
 * logit, plus the projection <embed(y), features> (glorot-initialised `embedding_fc`).
 *
 * Gin (compare_gan names and defaults): `resnet_biggan.Generator.ch` (96),
 * `.blocks_with_attention` ("B4"), `.hierarchical_z` (True), `.embed_z` (False), `.embed_y`
 * (True), `.embed_y_dim` (128), `.embed_bias` (False); `resnet_biggan.Discriminator.ch` (96),
 * `.blocks_with_attention` ("B1"), `.project_y` (None here: D.project_y decides, i.e. project
 * when conditional; compare_gan's default True needed labels even for unconditional GANs).
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, t } from '@cgan/config-lang';
import { batch_norm } from '../ops/batch_norm';
import { OpContext } from '../ops/context';
import { glorotInit, WeightInit } from '../ops/initializers';
import { conv2d, linear } from '../ops/layers';
import { non_local_block } from '../ops/non_local';
import { embedLabels } from '../ops/projection';
import { AbstractDiscriminator, AbstractGenerator, DiscriminatorBody, DParams, GParams, NetKwargs, netKwargs } from './base';
import { registerArchitecture } from './registry';
import { BigGanResNetBlock, cropTo, padTo, resnetResolution, ResNetResolution, splitZ } from './resnet_ops';

const ARCH = 'resnet_biggan_arch';
const SUPPORTED = [32, 64, 128, 256, 512];

const G_MULTIPLIERS: Record<number, number[]> = {
  512: [16, 16, 8, 8, 4, 2, 1, 1],
  256: [16, 16, 8, 8, 4, 2, 1],
  128: [16, 16, 8, 4, 2, 1],
  64: [16, 16, 8, 4, 2],
  32: [4, 4, 4, 4],
};
const D_MULTIPLIERS: Record<number, number[]> = {
  512: [1, 1, 2, 4, 8, 8, 16, 16],
  256: [1, 2, 4, 8, 8, 16, 16],
  128: [1, 2, 4, 8, 16, 16],
  64: [2, 4, 8, 16, 16],
  32: [2, 2, 2, 2],
};

function attentionSet(spec: string): Set<string> {
  return new Set(String(spec ?? '').split(',').map((s) => s.trim()).filter(Boolean));
}

export interface BigGanGeneratorParams {
  ch?: number;
  blocks_with_attention?: string;
  hierarchical_z?: boolean;
  embed_z?: boolean;
  embed_y?: boolean;
  embed_y_dim?: number;
  embed_bias?: boolean;
}

@configurable('Generator', {
  module: 'resnet_biggan',
  params: {
    ch: { default: 96, type: t.int, doc: 'channel multiplier' },
    blocks_with_attention: { default: 'B4', type: t.string, doc: 'comma-separated blocks followed by a non-local block' },
    hierarchical_z: { default: true, type: t.bool, doc: 'split z into chunks, one per block, each concatenated to y' },
    embed_z: { default: false, type: t.bool, doc: 'learned linear embedding of z' },
    embed_y: { default: true, type: t.bool, doc: 'learned (shared) class embedding' },
    embed_y_dim: { default: 128, type: t.int, doc: 'size of the class embedding' },
    embed_bias: { default: false, type: t.bool, doc: 'bias in the z and y embeddings' },
  },
})
export class Generator extends AbstractGenerator {
  private readonly res: ResNetResolution;
  private readonly p: Required<BigGanGeneratorParams>;
  private readonly attention: Set<string>;

  constructor(kw: NetKwargs & Partial<GParams> & BigGanGeneratorParams) {
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
    this.attention = attentionSet(this.p.blocks_with_attention);
  }

  /** Input and output channels of each block. */
  inOutChannels(): { inChannels: number[]; outChannels: number[] } {
    const m = G_MULTIPLIERS[this.res.size];
    return { inChannels: m.slice(0, -1).map((c) => c * this.p.ch), outChannels: m.slice(1).map((c) => c * this.p.ch) };
  }

  /** Number of chunks hierarchical z splits z into (blocks + 1). */
  numZChunks(): number {
    return this.p.hierarchical_z ? G_MULTIPLIERS[this.res.size].length : 1;
  }

  protected build(ctx: OpContext, z: tf.Tensor2D, y: tf.Tensor2D | null): tf.Tensor4D {
    const seedSize = 4;
    const sn = this.spectralNorm;
    const zDim = z.shape[1];
    const { inChannels, outChannels } = this.inOutChannels();
    const numBlocks = inChannels.length;
    if (this.p.embed_z) z = linear(ctx, z, zDim, { scope: 'embed_z', use_sn: false, use_bias: this.p.embed_bias });
    if (this.p.embed_y && y) y = embedLabels(ctx, y, this.p.embed_y_dim, { scope: 'embed_y', use_bias: this.p.embed_bias });
    let z0 = z;
    let zPerBlock: tf.Tensor2D[] = Array(numBlocks).fill(z);
    let yPerBlock: Array<tf.Tensor2D | null> = Array(numBlocks).fill(y);
    if (this.p.hierarchical_z) {
      [z0, ...zPerBlock] = splitZ('resnet_biggan.Generator', z, numBlocks + 1);
      if (y) yPerBlock = zPerBlock.map((zi) => tf.concat([zi, y!], 1));
    }
    let net = tf.reshape(linear(ctx, z0, inChannels[0] * seedSize * seedSize, { scope: 'fc_noise', use_sn: sn }), [-1, seedSize, seedSize, inChannels[0]]) as tf.Tensor4D;
    const norms = { batchNorm: this.batchNorm.bind(this) };
    for (let i = 0; i < numBlocks; i++) {
      const name = `B${i + 1}`;
      const block = new BigGanResNetBlock({ name, inChannels: inChannels[i], outChannels: outChannels[i], scale: 'up', isGenBlock: true, spectralNorm: sn, norms });
      net = block.apply(ctx, net, zPerBlock[i], yPerBlock[i]);
      if (this.attention.has(name)) net = non_local_block(ctx, net, 'non_local_block', sn);
    }
    // The last batch norm is unconditional.
    net = tf.relu(batch_norm({ ctx, inputs: net, is_training: ctx.isTraining, name: 'final_norm' }) as tf.Tensor) as tf.Tensor4D;
    net = conv2d(ctx, net, this.imageShape[2], { k_h: 3, k_w: 3, d_h: 1, d_w: 1, name: 'final_conv', use_sn: sn });
    return cropTo(tf.div(tf.add(tf.tanh(net), 1), 2), this.res);
  }
}

@configurable('Discriminator', {
  module: 'resnet_biggan',
  params: {
    ch: { default: 96, type: t.int, doc: 'channel multiplier' },
    blocks_with_attention: { default: 'B1', type: t.string, doc: 'comma-separated blocks followed by a non-local block' },
    project_y: { default: null, type: t.optional(t.bool), doc: 'projection discriminator (None: D.project_y)' },
  },
})
export class Discriminator extends AbstractDiscriminator {
  private readonly res: ResNetResolution;
  private readonly ch: number;
  private readonly attention: Set<string>;

  constructor(kw: NetKwargs & Partial<DParams> & { ch?: number; blocks_with_attention?: string }) {
    super(kw);
    this.res = resnetResolution(ARCH, this.imageShape, SUPPORTED);
    this.ch = kw.ch ?? 96;
    this.attention = attentionSet(kw.blocks_with_attention ?? 'B1');
  }

  protected projectionInitializer(): WeightInit {
    return glorotInit();
  }

  protected build(ctx: OpContext, x: tf.Tensor4D, y: tf.Tensor2D | null): DiscriminatorBody {
    const sn = this.spectralNorm;
    const outChannels = D_MULTIPLIERS[this.res.size].map((c) => c * this.ch);
    const inChannels = [x.shape[3], ...outChannels.slice(0, -1)];
    const norms = { batchNorm: this.batchNorm.bind(this), layerNorm: this.layerNorm ? this.maybeLayerNorm.bind(this) : undefined };
    let net = padTo(x, this.res);
    for (let i = 0; i < inChannels.length; i++) {
      const name = `B${i + 1}`;
      const last = i === inChannels.length - 1;
      const block = new BigGanResNetBlock(
        { name, inChannels: inChannels[i], outChannels: outChannels[i], scale: last ? 'none' : 'down', isGenBlock: false, spectralNorm: sn, norms },
        inChannels[i] !== outChannels[i],
      );
      net = block.apply(ctx, net, null, y);
      if (this.attention.has(name)) net = non_local_block(ctx, net, 'non_local_block', sn);
    }
    const features = tf.sum(tf.relu(net), [1, 2]) as tf.Tensor2D;
    return { logits: linear(ctx, features, 1, { scope: 'final_fc', use_sn: sn }), features };
  }
}

export const resnet_biggan_arch = registerArchitecture(
  'resnet_biggan_arch',
  (o) => {
    const generator = new Generator(netKwargs(o));
    const chunks = generator.numZChunks();
    if (chunks > 1 && o.zDim % chunks !== 0) {
      throw new Error(
        `resnet_biggan.Generator.hierarchical_z splits z into ${chunks} chunks at ${o.imageShape[0]}x${o.imageShape[1]}, ` +
          `but options.z_dim = ${o.zDim} is not divisible by ${chunks}; use e.g. options.z_dim = ${chunks * Math.max(1, Math.round(o.zDim / chunks))} ` +
          'or resnet_biggan.Generator.hierarchical_z = False.',
      );
    }
    return { generator, discriminator: new Discriminator(netKwargs(o)) };
  },
  'BigGAN generator and projection discriminator (32, 64, 128, 256, 512; 28x28 via pad/crop)',
);
