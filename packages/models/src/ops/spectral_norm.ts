/**
 * Spectral normalization (Miyato et al. 2018), compare_gan's arch_ops.spectral_norm:
 * the kernel, reshaped to W = [prod(shape[:-1]), shape[-1]], is divided by an estimate of its
 * largest singular value, sigma = u^T W v, from one round of power iteration per call.
 *
 * The singular vector is persistent: a non-trainable variable `<kernel>/u_var` (initialised
 * from a standard normal, like compare_gan), updated on every training call. compare_gan also
 * updated it on inference calls; here inference reads it without changing it, so sampling and
 * evaluation leave the model's state untouched. u and v carry no gradient (as in SN-GAN).
 *
 * `spectral_norm.singular_value` chooses which singular vector is persisted: 'left' (u has
 * W's row count, compare_gan's default), 'right', or 'auto' (the smaller of the two). Every
 * choice estimates the same sigma by power iteration.
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, t } from '@cgan/config-lang';
import { OpContext, stopGradient, variableSeed } from './context';

export const SINGULAR_VALUE_CHOICES = ['left', 'right', 'auto'] as const;

export interface SpectralNormArgs {
  ctx: OpContext;
  /** The weight tensor (rank >= 2, output channels last). */
  inputs: tf.Tensor;
  /** Name of the weight variable in the current scope; u lives at `<name>/u_var`. */
  name?: string;
  epsilon?: number;
  singular_value?: 'left' | 'right' | 'auto';
  /** Rounds of power iteration per call (compare_gan: 1). Not configurable. */
  power_iteration_rounds?: number;
}

/** tf.math.l2_normalize(x, axis=None, epsilon). */
function l2Normalize(x: tf.Tensor, epsilon: number): tf.Tensor {
  return tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x)), epsilon)));
}

function spectralNormImpl(kw: SpectralNormArgs): tf.Tensor {
  const { ctx, inputs } = kw;
  const epsilon = kw.epsilon ?? 1e-12;
  const rounds = kw.power_iteration_rounds ?? 1;
  if (inputs.rank < 2) {
    throw new Error(`Spectral norm can only be applied to multi-dimensional tensors, got shape [${inputs.shape}].`);
  }
  let side = kw.singular_value ?? 'left';
  if (!SINGULAR_VALUE_CHOICES.includes(side)) {
    throw new Error(`spectral_norm.singular_value must be one of ${SINGULAR_VALUE_CHOICES.map((x) => `"${x}"`).join(', ')}, got "${side}".`);
  }
  const cols = inputs.shape[inputs.rank - 1];
  const rows = inputs.size / cols;
  if (side === 'auto') side = rows <= cols ? 'left' : 'right';
  const uShape = side === 'left' ? [rows, 1] : [1, cols];
  const uName = `${kw.name ?? 'kernel'}/u_var`;
  const seed = variableSeed(ctx, uName);
  const uVar = ctx.store.get(uName, uShape, (s) => tf.randomNormal(s, 0, 1, 'float32', seed), false);

  return tf.tidy(() => {
    const w = tf.reshape(inputs, [rows, cols]) as tf.Tensor2D;
    let u: tf.Tensor2D = tf.clone(uVar) as tf.Tensor2D;
    let v!: tf.Tensor2D;
    for (let i = 0; i < rounds; i++) {
      if (side === 'left') {
        // v approximates the first right singular vector of w.
        v = l2Normalize(tf.matMul(w, u, true, false), epsilon) as tf.Tensor2D;
        u = l2Normalize(tf.matMul(w, v), epsilon) as tf.Tensor2D;
      } else {
        v = l2Normalize(tf.matMul(u, w, false, true), epsilon) as tf.Tensor2D;
        u = l2Normalize(tf.matMul(v, w), epsilon) as tf.Tensor2D;
      }
    }
    u = stopGradient(u);
    v = stopGradient(v);
    if (ctx.isTraining) uVar.assign(u);
    const sigma = side === 'left' ? tf.matMul(tf.matMul(u, w, true, false), v) : tf.matMul(tf.matMul(v, w), u, false, true);
    return tf.reshape(tf.div(w, sigma), inputs.shape);
  });
}

/** compare_gan's `spectral_norm` configurable (epsilon, singular_value). */
export const spectral_norm = configurable(
  'spectral_norm',
  {
    module: 'arch_ops',
    params: {
      epsilon: { default: 1e-12, type: t.number, doc: 'epsilon of the L2 normalisations' },
      singular_value: { default: 'left', type: t.oneOf(...SINGULAR_VALUE_CHOICES), doc: 'which singular vector to persist: left | right | auto' },
    },
  },
  spectralNormImpl,
);
