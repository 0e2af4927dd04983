/**
 * BigBiGAN's encoder E (Donahue & Simonyan 2019): images -> latents. A ResNet of BigGAN-style
 * discriminator blocks (3x3 convolutions, 1x1 shortcuts, 2x2 average-pool downsampling) halves
 * the resolution until it is at most 4x4, one more block keeps it, then ReLU and global average
 * pooling give the pooled features; an MLP (`mlp_layers` x `mlp_units`, ReLU) maps them to the
 * latent mean mu and, when `stochastic`, to sigma = softplus(.) + min_sigma, with
 * z = mu + sigma * eps (reparameterised, so gradients reach mu and sigma). With `normalize_mu`,
 * mu is standardised over the batch (in training, and at inference for batches of two or more;
 * a single image uses moving averages, decay MU_NORM_DECAY), so E(x) starts on the N(0, 1)
 * prior's scale and cannot collapse to one point.
 *
 * Registered as the configurable `encoder` (module `encoder`): `encoder.ch = 16`,
 * `encoder.stochastic = False`, ... ; BigBiGAN calls it as its `encoder_fn`. Variables live under
 * `encoder/` (the name BigBiGAN trains with its own optimizer). Images of any size and 1 or 3
 * channels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, t } from '@cgan/config-lang';
import { Rng } from '../core/rng';
import { VariableStore } from '../core/variables';
import { BatchNormFn } from '../ops/batch_norm';
import { OpContext } from '../ops/context';
import { conv2d, linear } from '../ops/layers';
import { standardize_batch } from '../ops/standardize_batch';
import { BigGanResNetBlock } from './resnet_ops';

/**
 * Decay of `normalize_mu`'s moving averages (what `encode` uses at inference): faster than the
 * networks' batch norm, so that they follow mu's statistics within a short run.
 */
export const MU_NORM_DECAY = 0.9;
/** standardize_batch's default epsilon (what training uses). */
export const MU_NORM_EPSILON = 1e-3;

/** What the encoder computes for a batch of images. */
export interface EncoderOutput {
  /** [batch, features]: ReLU + global average pooling of the last ResNet block. */
  features: tf.Tensor2D;
  /** [batch, z_dim]: the latent mean (the deterministic encoding). */
  mu: tf.Tensor2D;
  /** [batch, z_dim] standard deviations, null for a deterministic encoder. */
  sigma: tf.Tensor2D | null;
}

export interface EncoderNet {
  readonly name: string;
  readonly stochastic: boolean;
  /** x: [batch, h, w, c] in [0, 1]. */
  apply(x: tf.Tensor4D, isTraining: boolean): EncoderOutput;
}

/** The runtime arguments BigBiGAN passes to its `encoder_fn`; the rest come from bindings. */
export interface EncoderRuntime {
  store: VariableStore;
  rng: Rng;
  image_shape: [number, number, number];
  z_dim: number;
  name?: string;
}

export interface EncoderParams {
  ch: number;
  max_multiplier: number;
  stochastic: boolean;
  min_sigma: number;
  mlp_layers: number;
  mlp_units: number;
  batch_norm_fn: BatchNormFn | null;
  spectral_norm: boolean;
  normalize_mu: boolean;
}

export type EncoderFn = (kw: EncoderRuntime & Partial<EncoderParams>) => EncoderNet;

/** Channels of the blocks: ch * [1, 2, 4, ...] capped at ch * max_multiplier, then one more block. */
export function encoderChannels(imageSize: number, ch: number, maxMultiplier: number): number[] {
  const out: number[] = [];
  let size = imageSize;
  let m = 1;
  while (size > 4) {
    out.push(ch * Math.min(m, maxMultiplier));
    m *= 2;
    size = Math.ceil(size / 2);
  }
  out.push(out.length ? out[out.length - 1] : ch);
  return out;
}

class ResNetEncoder implements EncoderNet {
  readonly name: string;
  readonly stochastic: boolean;
  private readonly channels: number[];

  constructor(private readonly kw: EncoderRuntime, private readonly p: EncoderParams) {
    this.name = kw.name ?? 'encoder';
    this.stochastic = p.stochastic;
    const [h, w, c] = kw.image_shape;
    if (c !== 1 && c !== 3) throw new Error(`encoder supports 1 or 3 colour channels, the dataset has ${c}.`);
    this.channels = encoderChannels(Math.max(h, w), p.ch, p.max_multiplier);
  }

  private norm(ctx: OpContext, inputs: tf.Tensor, name: string): tf.Tensor {
    const fn = this.p.batch_norm_fn;
    return fn ? fn({ ctx, inputs, is_training: ctx.isTraining, use_sn: this.p.spectral_norm, z: null, y: null, name }) : inputs;
  }

  apply(x: tf.Tensor4D, isTraining: boolean): EncoderOutput {
    const [h, w, c] = this.kw.image_shape;
    if (x.rank !== 4 || x.shape[1] !== h || x.shape[2] !== w || x.shape[3] !== c) {
      throw new Error(`encoder input has shape [${x.shape}], expected [batch, ${h}, ${w}, ${c}] (the dataset's images).`);
    }
    const ctx: OpContext = { store: this.kw.store, rng: this.kw.rng, isTraining };
    const sn = this.p.spectral_norm;
    const out = tf.tidy(() =>
      this.kw.store.scope(this.name, (): tf.NamedTensorMap => {
        let net: tf.Tensor4D = conv2d(ctx, tf.sub(tf.mul(x, 2), 1) as tf.Tensor4D, this.channels[0], { k_h: 3, k_w: 3, d_h: 1, d_w: 1, name: 'conv_in', use_sn: sn });
        const norms = { batchNorm: (cx: OpContext, inputs: tf.Tensor, a: { name: string }) => this.norm(cx, inputs, a.name) };
        let cin = this.channels[0];
        this.channels.forEach((cout, i) => {
          const last = i === this.channels.length - 1;
          const block = new BigGanResNetBlock({ name: `B${i + 1}`, inChannels: cin, outChannels: cout, scale: last ? 'none' : 'down', isGenBlock: false, spectralNorm: sn, norms }, !last || cin !== cout);
          net = block.apply(ctx, net, null, null);
          cin = cout;
        });
        const features = tf.mean(tf.relu(net), [1, 2]) as tf.Tensor2D;
        let hidden = features;
        for (let i = 0; i < this.p.mlp_layers; i++) hidden = tf.relu(linear(ctx, hidden, this.p.mlp_units, { scope: `fc${i + 1}`, use_sn: sn })) as tf.Tensor2D;
        let mu = linear(ctx, hidden, this.kw.z_dim, { scope: 'mu', use_sn: sn });
        if (this.p.normalize_mu) {
          // Standardised over the batch in training and, for batches of two or more, at inference
          // too: the loss is blind to mu's raw mean and scale, so they drift freely and the moving
          // averages (kept for single images) lag behind them (E(x) ended up ~2 standard deviations
          // off the prior at inference, and G(E(x)) was fed latents G never saw).
          const m = mu;
          mu = this.kw.store.scope('mu_norm', () => standardize_batch({ ctx, inputs: m, is_training: isTraining, decay: MU_NORM_DECAY }) as tf.Tensor2D);
          if (!isTraining && x.shape[0] >= 2) {
            const { mean, variance } = tf.moments(m, 0);
            mu = tf.div(tf.sub(m, mean), tf.sqrt(tf.add(variance, MU_NORM_EPSILON))) as tf.Tensor2D;
          }
        }
        const sigma = this.stochastic
          ? (tf.add(tf.softplus(linear(ctx, hidden, this.kw.z_dim, { scope: 'sigma', use_sn: sn })), this.p.min_sigma) as tf.Tensor2D)
          : null;
        return sigma ? { features, mu, sigma } : { features, mu };
      }),
    );
    return { features: out.features as tf.Tensor2D, mu: out.mu as tf.Tensor2D, sigma: (out.sigma as tf.Tensor2D | undefined) ?? null };
  }
}

/** `encoder`: builds the ResNet encoder (see the module comment). */
export const encoder = configurable(
  'encoder',
  {
    module: 'encoder',
    params: {
      ch: { default: 32, type: t.int, doc: 'channels of the first block (doubling per downsampling block)' },
      max_multiplier: { default: 8, type: t.int, doc: 'channels are capped at ch * max_multiplier' },
      stochastic: { default: true, type: t.bool, doc: 'Gaussian output with reparameterised sampling (False: z = mu)' },
      min_sigma: { default: 1e-4, type: t.number, doc: 'sigma = softplus(.) + min_sigma' },
      mlp_layers: { default: 1, type: t.int, doc: 'hidden ReLU layers between the pooled features and mu/sigma' },
      mlp_units: { default: 256, type: t.int },
      batch_norm_fn: { default: null, type: t.fn, doc: 'normalization in the ResNet blocks, e.g. @batch_norm (None: none)' },
      spectral_norm: { default: false, type: t.bool, doc: 'spectral normalization of all weights' },
      normalize_mu: { default: false, type: t.bool, doc: 'standardise mu over the batch (also at inference; moving averages for a single image): E(x) keeps the N(0, 1) prior\'s mean and scale, so it cannot collapse to one point' },
    },
    doc: "BigBiGAN's ResNet encoder: images -> latent (Gaussian or deterministic).",
  },
  (kw: EncoderRuntime & EncoderParams): EncoderNet => {
    if (!kw || !kw.store || !kw.image_shape || !kw.z_dim) {
      throw new Error('encoder must be called with { store, rng, image_shape, z_dim } (BigBiGAN passes them).');
    }
    const pos = (name: string, v: number, allowZero = false) => {
      if (!Number.isInteger(v) || v < (allowZero ? 0 : 1)) throw new Error(`encoder.${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${v}.`);
    };
    pos('ch', kw.ch);
    pos('max_multiplier', kw.max_multiplier);
    pos('mlp_layers', kw.mlp_layers, true);
    pos('mlp_units', kw.mlp_units);
    if (!(kw.min_sigma >= 0)) throw new Error(`encoder.min_sigma must be >= 0, got ${kw.min_sigma}.`);
    const { store, rng, image_shape, z_dim, name, ...p } = kw;
    return new ResNetEncoder({ store, rng: rng ?? new Rng(0), image_shape, z_dim, name }, p as EncoderParams);
  },
) as unknown as EncoderFn;
