/**
 * The CIFAR ResNet of the SN paper (Miyato et al. 2018, table 4), compare_gan's
 * resnet_cifar.py, `resnet_cifar_arch`. 32x32 (28x28 via pad/crop, see resnet_ops).
 * G: linear z0 -> 4x4xch, three up-blocks (ch -> ch), final norm, ReLU, 3x3 conv, sigmoid.
 * D: four blocks (colors -> ch, ch, ch, ch; the first two downsample), ReLU, mean over space
 * (the features), linear logit, projection of y when projecting.
 *
 * Gin: `resnet_cifar.Generator.hierarchical_z` / `.embed_z` / `.embed_y` (False) as compare_gan;
 * `resnet_cifar.Discriminator.project_y` (None here: D.project_y decides, i.e. project when
 * conditional; compare_gan's default was False). Widths `resnet_cifar.Generator.ch` (256) and
 * `resnet_cifar.Discriminator.ch` (128) are compare_gan's fixed widths, configurable here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, t } from '@cgan/config-lang';
import { OpContext } from '../ops/context';
import { conv2d, linear } from '../ops/layers';
import { AbstractDiscriminator, AbstractGenerator, DiscriminatorBody, DParams, GParams, NetKwargs, netKwargs } from './base';
import { registerArchitecture } from './registry';
import { cropTo, padTo, ResNetBlock, resnetResolution, ResNetResolution, Scale, splitZ } from './resnet_ops';

const ARCH = 'resnet_cifar_arch';

@configurable('Generator', {
  module: 'resnet_cifar',
  params: {
    hierarchical_z: { default: false, type: t.bool, doc: 'split z into one chunk per block (and one for the input layer), each concatenated to y' },
    embed_z: { default: false, type: t.bool, doc: 'learned linear embedding of z' },
    embed_y: { default: false, type: t.bool, doc: 'learned linear embedding of y, of z_dim units' },
    ch: { default: 256, type: t.int, doc: 'channels of every block' },
  },
})
export class Generator extends AbstractGenerator {
  private readonly res: ResNetResolution;
  private readonly opts: { hierarchicalZ: boolean; embedZ: boolean; embedY: boolean; ch: number };
  constructor(kw: NetKwargs & Partial<GParams> & { hierarchical_z?: boolean; embed_z?: boolean; embed_y?: boolean; ch?: number }) {
    super(kw);
    this.res = resnetResolution(ARCH, this.imageShape, [32]);
    this.opts = { hierarchicalZ: kw.hierarchical_z ?? false, embedZ: kw.embed_z ?? false, embedY: kw.embed_y ?? false, ch: kw.ch ?? 256 };
  }

  protected build(ctx: OpContext, z: tf.Tensor2D, y: tf.Tensor2D | null): tf.Tensor4D {
    const { ch } = this.opts;
    const sn = this.spectralNorm;
    const numBlocks = 3;
    const zDim = z.shape[1];
    if (this.opts.embedZ) z = linear(ctx, z, zDim, { scope: 'embed_z', use_sn: sn });
    if (this.opts.embedY && y) y = linear(ctx, y, zDim, { scope: 'embed_y', use_sn: sn });
    let z0 = z;
    let zPerBlock: tf.Tensor2D[] = Array(numBlocks).fill(z);
    let yPerBlock: Array<tf.Tensor2D | null> = Array(numBlocks).fill(y);
    if (this.opts.hierarchicalZ) {
      [z0, ...zPerBlock] = splitZ('resnet_cifar.Generator', z, numBlocks + 1);
      if (y) yPerBlock = zPerBlock.map((zi) => tf.concat([zi, y!], 1));
    }
    let net = tf.reshape(linear(ctx, z0, 4 * 4 * ch, { scope: 'fc_noise', use_sn: sn }), [-1, 4, 4, ch]) as tf.Tensor4D;
    const norms = { batchNorm: this.batchNorm.bind(this) };
    for (let i = 0; i < numBlocks; i++) {
      const block = new ResNetBlock({ name: `B${i + 1}`, inChannels: ch, outChannels: ch, scale: 'up', isGenBlock: true, spectralNorm: sn, norms });
      net = block.apply(ctx, net, zPerBlock[i], yPerBlock[i]);
    }
    net = tf.relu(this.batchNorm(ctx, net, { z, y, name: 'final_norm' })) as tf.Tensor4D;
    net = conv2d(ctx, net, this.imageShape[2], { k_h: 3, k_w: 3, d_h: 1, d_w: 1, name: 'final_conv', use_sn: sn });
    return cropTo(tf.sigmoid(net), this.res);
  }
}

@configurable('Discriminator', {
  module: 'resnet_cifar',
  params: {
    project_y: { default: null, type: t.optional(t.bool), doc: 'projection discriminator (None: D.project_y)' },
    ch: { default: 128, type: t.int, doc: 'channels of every block' },
  },
})
export class Discriminator extends AbstractDiscriminator {
  private readonly res: ResNetResolution;
  private readonly ch: number;
  constructor(kw: NetKwargs & Partial<DParams> & { ch?: number }) {
    super(kw);
    this.res = resnetResolution(ARCH, this.imageShape, [32]);
    this.ch = kw.ch ?? 128;
  }

  protected build(ctx: OpContext, x: tf.Tensor4D, y: tf.Tensor2D | null): DiscriminatorBody {
    const sn = this.spectralNorm;
    const colors = x.shape[3];
    let net = padTo(x, this.res);
    const norms = { batchNorm: this.batchNorm.bind(this), layerNorm: this.layerNorm ? this.maybeLayerNorm.bind(this) : undefined };
    for (let i = 0; i < 4; i++) {
      const scale: Scale = i <= 1 ? 'down' : 'none';
      const block = new ResNetBlock({ name: `B${i + 1}`, inChannels: i === 0 ? colors : this.ch, outChannels: this.ch, scale, isGenBlock: false, spectralNorm: sn, norms });
      net = block.apply(ctx, net, null, y);
    }
    const features = tf.mean(tf.relu(net), [1, 2]) as tf.Tensor2D;
    return { logits: linear(ctx, features, 1, { scope: 'disc_final_fc', use_sn: sn }), features };
  }
}

export const resnet_cifar_arch = registerArchitecture(
  'resnet_cifar_arch',
  (o) => ({ generator: new Generator(netKwargs(o)), discriminator: new Discriminator(netKwargs(o)) }),
  'ResNet of the SN paper for 32x32 images (28x28 via pad/crop)',
);
