/**
 * The normalizations a generator or discriminator selects with `G.batch_norm_fn` /
 * `D.batch_norm_fn` (compare_gan's arch_ops): `no_batch_norm`, `batch_norm`,
 * `conditional_batch_norm` (class-conditional gamma and beta, linear in y) and
 * `self_modulated_batch_norm` (gamma and beta from z through a small MLP). Each one
 * standardises with `standardize_batch` inside the variable scope `name`.
 *
 * Calling convention (all take one kwargs object, extra keys are ignored, as compare_gan's
 * call_with_accepted_args): { ctx, inputs, z, y, is_training, use_sn, name, center, scale }.
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, t } from '@cgan/config-lang';
import { OpContext, scope } from './context';
import { constantInit } from './initializers';
import { linear } from './layers';
import { standardize_batch } from './standardize_batch';

export interface NormArgs {
  ctx: OpContext;
  inputs: tf.Tensor;
  /** Defaults to ctx.isTraining. */
  is_training?: boolean;
  z?: tf.Tensor2D | null;
  y?: tf.Tensor2D | null;
  use_sn?: boolean;
  center?: boolean;
  scale?: boolean;
  name?: string;
}

/** What `G.batch_norm_fn` / `D.batch_norm_fn` hold. */
export type BatchNormFn = (kw: NormArgs) => tf.Tensor;

/** [batch, C] -> [batch, 1, 1, C] for rank-4 inputs (broadcast per channel). */
function perChannel(x: tf.Tensor2D, inputs: tf.Tensor): tf.Tensor {
  return inputs.rank === 4 ? tf.reshape(x, [-1, 1, 1, x.shape[1]]) : x;
}

function standardize(kw: NormArgs): tf.Tensor {
  return standardize_batch({ ctx: kw.ctx, inputs: kw.inputs, is_training: kw.is_training ?? kw.ctx.isTraining }) as tf.Tensor;
}

export const no_batch_norm = configurable('no_batch_norm', { module: 'arch_ops', params: {} }, (kw: { inputs: tf.Tensor }): tf.Tensor => kw.inputs);

/** Batch normalization with a trainable per-channel scale (gamma, ones) and offset (beta, zeros). */
export const batch_norm = configurable('batch_norm', { module: 'arch_ops', params: {} }, (kw: NormArgs): tf.Tensor =>
  scope(kw.ctx, kw.name ?? 'batch_norm', () => {
    let out = standardize(kw);
    const c = kw.inputs.shape[kw.inputs.rank - 1];
    if (kw.scale ?? true) out = tf.mul(out, kw.ctx.store.get('gamma', [c], constantInit(1)));
    if (kw.center ?? true) out = tf.add(out, kw.ctx.store.get('beta', [c], constantInit(0)));
    return out;
  }),
);

/**
 * Conditional batch normalization: gamma = gain_offset + linear(y) and beta = linear(y) (scope
 * `<name>/condition/{gamma,beta}`), y being the one-hot labels (or, in BigGAN, the class
 * embedding concatenated with a chunk of z). `conditional_batch_norm.use_bias` (False).
 * `gain_offset` 0 is compare_gan's: gamma starts at ~N(0, 0.02) (linear's init), so every
 * normalised layer of G, the last one included, starts scaled by ~0.02 and G's first few
 * thousand steps mostly grow gamma; 1 is the 1 + linear(y) of Miyato & Koyama's projection
 * cGAN and BigGAN (gamma starts at ~1, like @batch_norm's).
 */
export const conditional_batch_norm = configurable(
  'conditional_batch_norm',
  {
    module: 'arch_ops',
    params: {
      use_bias: { default: false, type: t.bool, doc: 'bias in the gamma/beta projections' },
      gain_offset: { default: 0, type: t.number, doc: "added to gamma: 0 as compare_gan (gamma = linear(y), ~0 at init), 1 as BigGAN (gamma = 1 + linear(y))" },
    },
  },
  (kw: NormArgs & { use_bias?: boolean; gain_offset?: number }): tf.Tensor => {
    const y = kw.y;
    if (y == null) {
      throw new Error(
        `conditional_batch_norm '${kw.name ?? 'batch_norm'}' needs class labels y, but the network got none: ` +
          'make the GAN conditional (ModularGAN.conditional = True) or bind an unconditional normalization (G.batch_norm_fn / D.batch_norm_fn = @batch_norm).',
      );
    }
    if (y.rank !== 2) throw new Error(`Conditioning must have rank 2, got shape [${y.shape}].`);
    return scope(kw.ctx, kw.name ?? 'batch_norm', () => {
      let out = standardize(kw);
      const c = kw.inputs.shape[kw.inputs.rank - 1];
      return scope(kw.ctx, 'condition', () => {
        const lin = { use_sn: kw.use_sn ?? false, use_bias: kw.use_bias ?? false };
        if (kw.scale ?? true) {
          let gamma = linear(kw.ctx, y, c, { ...lin, scope: 'gamma' });
          if (kw.gain_offset) gamma = tf.add(gamma, kw.gain_offset);
          out = tf.mul(out, perChannel(gamma, kw.inputs));
        }
        if (kw.center ?? true) out = tf.add(out, perChannel(linear(kw.ctx, y, c, { ...lin, scope: 'beta' }), kw.inputs));
        return out;
      });
    });
  },
);

/**
 * Self-modulated batch normalization (Chen et al. 2018): gamma and beta are functions of z,
 * through a hidden ReLU layer of `self_modulated_batch_norm.num_hidden` units (32; 0: linear).
 */
export const self_modulated_batch_norm = configurable(
  'self_modulated_batch_norm',
  { module: 'arch_ops', params: { num_hidden: { default: 32, type: t.int, doc: 'hidden units (0: linear in z)' } } },
  (kw: NormArgs & { num_hidden?: number }): tf.Tensor => {
    const z = kw.z;
    if (z == null) throw new Error(`self_modulated_batch_norm '${kw.name ?? 'batch_norm'}' needs z, but the network passed none: it is a generator-only normalization (G.batch_norm_fn = @self_modulated_batch_norm); bind D.batch_norm_fn to @batch_norm or None.`);
    return scope(kw.ctx, kw.name ?? 'batch_norm', () => {
      let out = standardize(kw);
      const c = kw.inputs.shape[kw.inputs.rank - 1];
      const useSn = kw.use_sn ?? false;
      return scope(kw.ctx, 'sbn', () => {
        let h: tf.Tensor2D = z;
        const numHidden = kw.num_hidden ?? 32;
        if (numHidden > 0) h = tf.relu(linear(kw.ctx, h, numHidden, { scope: 'hidden', use_sn: useSn }));
        if (kw.scale ?? true) out = tf.mul(out, perChannel(linear(kw.ctx, h, c, { scope: 'gamma', bias_start: 1, use_sn: useSn }), kw.inputs));
        if (kw.center ?? true) out = tf.add(out, perChannel(linear(kw.ctx, h, c, { scope: 'beta', use_sn: useSn }), kw.inputs));
        return out;
      });
    });
  },
);
