/**
 * CycleGAN's networks, after junyanz/pytorch-CycleGAN-and-pix2pix (models/networks.py):
 *
 *   resnet_generator   c7s1-ngf, d(2ngf), d(4ngf), n_blocks x R(4ngf), u(2ngf), u(ngf), c7s1-C, tanh
 *                      (reflection padding; `resnet_6blocks` / `resnet_9blocks`)
 *   unet_generator     U-Net with skip connections, num_downs stride-2 levels (default log2 of the size)
 *   patch_discriminator 70x70 PatchGAN (n_layers = 3): C64 - C128 - C256 - C512(stride 1) - 1, 4x4
 *                      kernels, LeakyReLU 0.2, no norm on the first layer; one score per patch
 *
 * Norm: `@instance_norm` by default (affine off, as the reference), or none. Weights ~ N(0, init_gain),
 * biases 0 (the reference's init_type = normal). Images go in and come out in [-1, 1].
 * Variables live under the scope the caller opens (CycleGAN: generator_a2b/, discriminator_b/, ...).
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, t } from '@cgan/config-lang';
import { OpContext, scope, variableSeed } from '../ops/context';
import { constantInit, normalInit } from '../ops/initializers';
import { instance_norm } from '../ops/instance_norm';
import { lrelu } from '../ops/layers';

/** An image-to-image network: [b, h, w, c] in [-1, 1] -> [b, h, w, c_out] in [-1, 1]. */
export interface ImageTranslatorNet {
  readonly kind: string;
  apply(ctx: OpContext, x: tf.Tensor4D): tf.Tensor4D;
}

/** A patch discriminator: [b, h, w, c] -> raw scores [b, h', w', 1] (one per patch). */
export interface PatchDiscriminatorNet {
  readonly kind: string;
  apply(ctx: OpContext, x: tf.Tensor4D): tf.Tensor4D;
}

export type NormKind = 'instance' | 'none';

interface LayerOpts {
  initGain: number;
  norm: NormKind;
}

function conv(ctx: OpContext, o: LayerOpts, x: tf.Tensor4D, outC: number, k: number, stride: number, pad: number, padMode: 'reflect' | 'zero', name: string): tf.Tensor4D {
  return scope(ctx, name, () => {
    const seed = variableSeed(ctx, 'kernel');
    const w = ctx.store.get('kernel', [k, k, x.shape[3], outC], (s) => normalInit(o.initGain)(s, seed)) as tf.Tensor4D;
    const b = ctx.store.get('bias', [outC], constantInit(0));
    let h = x;
    if (pad > 0) {
      const p: Array<[number, number]> = [[0, 0], [pad, pad], [pad, pad], [0, 0]];
      h = padMode === 'reflect' ? (tf.mirrorPad(h, p, 'reflect') as tf.Tensor4D) : (tf.pad(h, p) as tf.Tensor4D);
    }
    return tf.add(tf.conv2d(h, w, stride, 'valid'), b) as tf.Tensor4D;
  });
}

/** Transposed convolution doubling height and width (ConvTranspose2d stride 2). */
function upconv(ctx: OpContext, o: LayerOpts, x: tf.Tensor4D, outC: number, k: number, name: string): tf.Tensor4D {
  return scope(ctx, name, () => {
    const seed = variableSeed(ctx, 'kernel');
    const [b, h, w, inC] = x.shape;
    const kernel = ctx.store.get('kernel', [k, k, outC, inC], (s) => normalInit(o.initGain)(s, seed)) as tf.Tensor4D;
    const bias = ctx.store.get('bias', [outC], constantInit(0));
    return tf.add(tf.conv2dTranspose(x, kernel, [b, 2 * h, 2 * w, outC], 2, 'same'), bias) as tf.Tensor4D;
  });
}

function norm(ctx: OpContext, o: LayerOpts, x: tf.Tensor4D, name: string): tf.Tensor4D {
  if (o.norm === 'none') return x;
  return instance_norm({ ctx, inputs: x, scope: name } as never) as tf.Tensor4D;
}

const positive = (fn: string, name: string, v: number) => {
  if (!(Number.isInteger(v) && v > 0)) throw new Error(`${fn}.${name} must be a positive integer, got ${v}.`);
};

export interface ResnetGeneratorArgs {
  output_channels: number;
  ngf: number;
  n_blocks: number;
  norm: NormKind;
  padding_type: 'reflect' | 'zero';
  init_gain: number;
}

/** The ResNet generator (Johnson et al.), as CycleGAN's `resnet_9blocks` / `resnet_6blocks`. */
export const resnet_generator = configurable(
  'resnet_generator',
  {
    module: 'cyclegan',
    params: {
      output_channels: { default: 3, type: t.int, doc: 'set by CycleGAN from the other domain' },
      ngf: { default: 64, type: t.int, doc: 'filters of the first layer' },
      n_blocks: { default: 9, type: t.int, doc: 'residual blocks (resnet_9blocks; 6 for 128px images)' },
      norm: { default: 'instance', type: t.oneOf('instance', 'none') },
      padding_type: { default: 'reflect', type: t.oneOf('reflect', 'zero') },
      init_gain: { default: 0.02, type: t.number, doc: 'stddev of the normal initial weights' },
    },
  },
  (kw: ResnetGeneratorArgs): ImageTranslatorNet => {
    positive('resnet_generator', 'ngf', kw.ngf);
    positive('resnet_generator', 'n_blocks', kw.n_blocks);
    const o: LayerOpts = { initGain: kw.init_gain, norm: kw.norm };
    const pm = kw.padding_type;
    return {
      kind: `resnet_${kw.n_blocks}blocks`,
      apply(ctx, x) {
        if (x.shape[1] % 4 !== 0 || x.shape[2] % 4 !== 0) {
          throw new Error(`resnet_generator downsamples twice: the image size ${x.shape[1]}x${x.shape[2]} must be a multiple of 4 (set dataset.resolution).`);
        }
        let h = tf.relu(norm(ctx, o, conv(ctx, o, x, kw.ngf, 7, 1, 3, pm, 'conv_in'), 'norm_in')) as tf.Tensor4D;
        for (let i = 0; i < 2; i++) h = tf.relu(norm(ctx, o, conv(ctx, o, h, kw.ngf * 2 ** (i + 1), 3, 2, 1, 'zero', `down${i}`), `down${i}_norm`)) as tf.Tensor4D;
        const c = kw.ngf * 4;
        for (let i = 0; i < kw.n_blocks; i++) {
          h = scope(ctx, `block${i}`, () => {
            let r = tf.relu(norm(ctx, o, conv(ctx, o, h, c, 3, 1, 1, pm, 'conv0'), 'norm0')) as tf.Tensor4D;
            r = norm(ctx, o, conv(ctx, o, r, c, 3, 1, 1, pm, 'conv1'), 'norm1');
            return tf.add(h, r) as tf.Tensor4D;
          });
        }
        for (let i = 0; i < 2; i++) h = tf.relu(norm(ctx, o, upconv(ctx, o, h, kw.ngf * 2 ** (1 - i), 3, `up${i}`), `up${i}_norm`)) as tf.Tensor4D;
        return tf.tanh(conv(ctx, o, h, kw.output_channels, 7, 1, 3, pm, 'conv_out')) as tf.Tensor4D;
      },
    };
  },
);

export interface UnetGeneratorArgs {
  output_channels: number;
  ngf: number;
  num_downs: number | null;
  norm: NormKind;
  init_gain: number;
}

/** The U-Net generator (`unet_128`, `unet_256`; here any power-of-two size). */
export const unet_generator = configurable(
  'unet_generator',
  {
    module: 'cyclegan',
    params: {
      output_channels: { default: 3, type: t.int, doc: 'set by CycleGAN from the other domain' },
      ngf: { default: 64, type: t.int },
      num_downs: { default: null, type: t.optional(t.int), doc: 'stride-2 levels; None: log2 of the image size (down to 1x1)' },
      norm: { default: 'instance', type: t.oneOf('instance', 'none') },
      init_gain: { default: 0.02, type: t.number },
    },
  },
  (kw: UnetGeneratorArgs): ImageTranslatorNet => {
    positive('unet_generator', 'ngf', kw.ngf);
    const o: LayerOpts = { initGain: kw.init_gain, norm: kw.norm };
    const ch = (level: number) => kw.ngf * 2 ** Math.min(level, 3);
    return {
      kind: 'unet',
      apply(ctx, x) {
        const size = Math.min(x.shape[1], x.shape[2]);
        const downs = kw.num_downs ?? Math.round(Math.log2(size));
        if (!(Number.isInteger(downs) && downs >= 1 && x.shape[1] % 2 ** downs === 0 && x.shape[2] % 2 ** downs === 0)) {
          throw new Error(`unet_generator: the image size ${x.shape[1]}x${x.shape[2]} is not divisible by 2^num_downs = 2^${downs}; use a power-of-two dataset.resolution or set unet_generator.num_downs.`);
        }
        const outC = kw.output_channels;
        const level = (inp: tf.Tensor4D, l: number): tf.Tensor4D =>
          scope(ctx, `level${l}`, () => {
            const innermost = l === downs - 1;
            let d = conv(ctx, o, l === 0 ? inp : (lrelu(inp, 0.2) as tf.Tensor4D), ch(l), 4, 2, 1, 'zero', 'down');
            if (l > 0 && !innermost) d = norm(ctx, o, d, 'down_norm');
            const mid = innermost ? d : level(d, l + 1);
            const u = upconv(ctx, o, tf.relu(mid) as tf.Tensor4D, l === 0 ? outC : ch(l - 1), 4, 'up');
            if (l === 0) return tf.tanh(u) as tf.Tensor4D;
            return tf.concat([inp, norm(ctx, o, u, 'up_norm')], 3) as tf.Tensor4D;
          });
        return level(x, 0);
      },
    };
  },
);

export interface PatchDiscriminatorArgs {
  ndf: number;
  n_layers: number;
  norm: NormKind;
  init_gain: number;
}

/** PatchGAN: with n_layers = 3 each score sees a 70x70 patch. */
export const patch_discriminator = configurable(
  'patch_discriminator',
  {
    module: 'cyclegan',
    params: {
      ndf: { default: 64, type: t.int },
      n_layers: { default: 3, type: t.int, doc: '3: the 70x70 PatchGAN (netD = basic)' },
      norm: { default: 'instance', type: t.oneOf('instance', 'none') },
      init_gain: { default: 0.02, type: t.number },
    },
  },
  (kw: PatchDiscriminatorArgs): PatchDiscriminatorNet => {
    positive('patch_discriminator', 'ndf', kw.ndf);
    positive('patch_discriminator', 'n_layers', kw.n_layers);
    const o: LayerOpts = { initGain: kw.init_gain, norm: kw.norm };
    return {
      kind: `patch_${kw.n_layers}layers`,
      apply(ctx, x) {
        // Output size after n_layers stride-2 convs and two stride-1 ones (4x4, padding 1).
        let s = Math.min(x.shape[1], x.shape[2]);
        for (let i = 0; i < kw.n_layers; i++) s = Math.floor((s + 2 - 4) / 2) + 1;
        if (s - 2 < 1) {
          throw new Error(`patch_discriminator with n_layers = ${kw.n_layers} leaves no patch of a ${x.shape[1]}x${x.shape[2]} image; lower patch_discriminator.n_layers or raise dataset.resolution.`);
        }
        let h = lrelu(conv(ctx, o, x, kw.ndf, 4, 2, 1, 'zero', 'conv0'), 0.2) as tf.Tensor4D;
        for (let n = 1; n <= kw.n_layers; n++) {
          const c = kw.ndf * Math.min(2 ** n, 8);
          h = lrelu(norm(ctx, o, conv(ctx, o, h, c, 4, n < kw.n_layers ? 2 : 1, 1, 'zero', `conv${n}`), `norm${n}`), 0.2) as tf.Tensor4D;
        }
        return conv(ctx, o, h, 1, 4, 1, 1, 'zero', 'score');
      },
    };
  },
);
