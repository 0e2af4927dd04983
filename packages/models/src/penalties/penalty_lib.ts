/**
 * Compare GAN's penalty_lib: regularisers added to the discriminator loss with weight
 * `options.lamba`, selected by `penalty.fn`. Every penalty takes keyword arguments
 * {x, x_fake, discriminator, is_training, store, rng} and uses those it needs.
 * Gradient penalties differentiate D's logits with respect to its input with `tf.grad` inside
 * the loss, so the optimiser's `tf.variableGrads` takes a second-order gradient through them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, t } from '@cgan/config-lang';
import { DiscriminatorOutput } from '../architectures/abstract_arch';
import { Rng } from '../core/rng';
import { VariableStore } from '../core/variables';
import './gradients';

export interface PenaltyInputs {
  /** Real images [batch, h, w, c]. */
  x?: tf.Tensor4D;
  /** Generated images [batch, h, w, c] (treated as constants). */
  x_fake?: tf.Tensor4D;
  /** D applied to images (labels already bound), as in compare_gan's functools.partial. */
  discriminator?: (x: tf.Tensor4D, isTraining: boolean) => DiscriminatorOutput;
  is_training?: boolean;
  /** Where D's weights live (l2_penalty). */
  store?: VariableStore;
  /** Random stream for interpolation / noise. */
  rng?: Rng;
}

export type PenaltyFn = (kw: PenaltyInputs) => tf.Scalar;

function need<K extends keyof PenaltyInputs>(kw: PenaltyInputs, name: K, penalty: string): NonNullable<PenaltyInputs[K]> {
  const v = kw[name];
  if (v === undefined || v === null) throw new Error(`penalty_lib.${penalty} needs '${name}', which the caller did not pass.`);
  return v as NonNullable<PenaltyInputs[K]>;
}

function seed(kw: PenaltyInputs): number | undefined {
  return kw.rng ? kw.rng.nextSeed() : undefined;
}

/**
 * mean((sqrt(1e-4 + |dD(x)/dx|^2) - 1)^2) at the given points: the slope penalty shared by
 * WGAN-GP and DRAGAN. `points` must not depend on trainable variables.
 */
export function gradientPenaltyAt(points: tf.Tensor4D, discriminator: (x: tf.Tensor4D, isTraining: boolean) => DiscriminatorOutput, isTraining: boolean): tf.Scalar {
  return tf.tidy(() => {
    const gradients = tf.grad((p: tf.Tensor) => tf.sum(discriminator(p as tf.Tensor4D, isTraining).logits))(points);
    const slopes = tf.sqrt(tf.add(0.0001, tf.sum(tf.square(gradients), [1, 2, 3])));
    return tf.mean(tf.square(tf.sub(slopes, 1.0))) as tf.Scalar;
  });
}

export const no_penalty = configurable('no_penalty', { module: 'penalty_lib', params: {} }, (_kw: PenaltyInputs): tf.Scalar => tf.scalar(0));

/** DRAGAN (Kodali et al.): slopes at real points perturbed by std(x) * (U[0,1) - 0.5), clipped to [0, 1]. */
export const dragan_penalty = configurable('dragan_penalty', { module: 'penalty_lib', params: {} }, (kw: PenaltyInputs): tf.Scalar => {
  const x = need(kw, 'x', 'dragan_penalty');
  const d = need(kw, 'discriminator', 'dragan_penalty');
  const noise = tf.randomUniform(x.shape, 0, 1, 'float32', seed(kw));
  try {
    return tf.tidy(() => {
      const { variance } = tf.moments(x);
      const xNoisy = tf.clipByValue(tf.add(x, tf.mul(tf.sqrt(variance), tf.sub(noise, 0.5))), 0, 1) as tf.Tensor4D;
      return gradientPenaltyAt(xNoisy, d, kw.is_training ?? true);
    });
  } finally {
    noise.dispose();
  }
});

/** WGAN-GP (Gulrajani et al.): slopes at x + alpha (x_fake - x), alpha ~ U[0, 1) per example. */
export const wgangp_penalty = configurable('wgangp_penalty', { module: 'penalty_lib', params: {} }, (kw: PenaltyInputs): tf.Scalar => {
  const x = need(kw, 'x', 'wgangp_penalty');
  const xFake = need(kw, 'x_fake', 'wgangp_penalty');
  const d = need(kw, 'discriminator', 'wgangp_penalty');
  const alpha = tf.randomUniform([x.shape[0], 1, 1, 1], 0, 1, 'float32', seed(kw));
  try {
    return tf.tidy(() => {
      const interpolates = tf.add(x, tf.mul(alpha, tf.sub(xFake, x))) as tf.Tensor4D;
      return gradientPenaltyAt(interpolates, d, kw.is_training ?? true);
    });
  } finally {
    alpha.dispose();
  }
});

/** Names of D's weight matrices and kernels (biases excluded), as compare_gan's `/kernel:0` filter. */
export function discriminatorKernels(store: VariableStore): tf.Variable[] {
  return [...store.all('discriminator').entries()].filter(([n, v]) => /(^|\/)kernel$/.test(n) && v.trainable).map(([, v]) => v);
}

/** mean over D's kernels of tf.nn.l2_loss(kernel) = sum(kernel^2) / 2. */
export const l2_penalty = configurable('l2_penalty', { module: 'penalty_lib', params: {} }, (kw: PenaltyInputs): tf.Scalar => {
  const store = need(kw, 'store', 'l2_penalty');
  const kernels = discriminatorKernels(store);
  if (kernels.length === 0) {
    throw new Error("l2_penalty: the discriminator has no variables named '.../kernel'; build D before computing the penalty (or use another penalty.fn).");
  }
  return tf.tidy(() => tf.mean(tf.stack(kernels.map((k) => tf.div(tf.sum(tf.square(k)), 2)))) as tf.Scalar);
});

/** `penalty.fn` (compare_gan's get_penalty_loss). */
export const get_penalty_loss = configurable(
  'penalty',
  { module: 'penalty_lib', params: { fn: { default: no_penalty, type: t.any, doc: '@no_penalty, @wgangp_penalty, @dragan_penalty or @l2_penalty' } } },
  (kw: PenaltyInputs & { fn: PenaltyFn }): tf.Scalar => {
    if (typeof kw.fn !== 'function') throw new Error(`penalty.fn must be a penalty reference such as @wgangp_penalty, got ${String(kw.fn)}.`);
    const { fn, ...inputs } = kw;
    return fn(inputs);
  },
);
