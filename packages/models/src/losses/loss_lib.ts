/**
 * Compare GAN's loss_lib: the discriminator and generator losses, selected by `loss.fn`.
 * Every loss takes keyword arguments {d_real, d_fake, d_real_logits, d_fake_logits}
 * ([batch, 1] tensors; probabilities in [0, 1] and logits) and returns the four scalars
 * compare_gan returns as a tuple: d_loss, d_loss_real, d_loss_fake, g_loss.
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, t } from '@cgan/config-lang';

export interface LossInputs {
  d_real?: tf.Tensor;
  d_fake?: tf.Tensor;
  d_real_logits?: tf.Tensor;
  d_fake_logits?: tf.Tensor;
}

export interface GanLosses {
  d_loss: tf.Scalar;
  d_loss_real: tf.Scalar;
  d_loss_fake: tf.Scalar;
  g_loss: tf.Scalar;
}

export type LossFn = (kw: LossInputs) => GanLosses;

/** Shapes must be equal and of rank 2 (compare_gan's check_dimensions). */
export function checkDimensions(kw: LossInputs): void {
  const pair = (a: tf.Tensor | undefined, b: tf.Tensor | undefined, what: string) => {
    if (!a || !b) return;
    if (a.shape.join(',') !== b.shape.join(',')) throw new Error(`Shape mismatch between ${what}: [${a.shape}] vs [${b.shape}].`);
    if (a.rank !== 2) throw new Error(`Rank: expected 2 for ${what}, got ${a.rank} ([${a.shape}]); pass [batch, 1] tensors.`);
  };
  pair(kw.d_real, kw.d_fake, 'd_real and d_fake');
  pair(kw.d_real_logits, kw.d_fake_logits, 'd_real_logits and d_fake_logits');
  pair(kw.d_real, kw.d_real_logits, 'd_real and d_real_logits');
}

function need(kw: LossInputs, name: keyof LossInputs, loss: string): tf.Tensor {
  const v = kw[name];
  if (!v) throw new Error(`loss_lib.${loss} needs '${name}'; the caller passed only: ${Object.keys(kw).filter((k) => kw[k as keyof LossInputs]).join(', ') || 'nothing'}.`);
  return v;
}

/** tf.nn.sigmoid_cross_entropy_with_logits: max(x, 0) - x * z + log(1 + exp(-|x|)). */
export function sigmoidCrossEntropyWithLogits(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(tf.sub(tf.relu(logits), tf.mul(logits, labels)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))));
}

/**
 * Non-saturating loss (Goodfellow et al.). `label_smoothing` is one-sided label smoothing
 * (Salimans et al. 2016): the discriminator's target for real examples is 1 - label_smoothing;
 * fake targets and the generator's targets stay 0 and 1. The default 0 is compare_gan's loss.
 */
export const non_saturating = configurable(
  'non_saturating',
  { module: 'loss_lib', params: { label_smoothing: { default: 0.0, type: t.number, doc: 'one-sided: real targets become 1 - label_smoothing' } } },
  (kw: LossInputs & { label_smoothing: number }): GanLosses => {
    if (!(kw.label_smoothing >= 0 && kw.label_smoothing < 1)) {
      throw new Error(`non_saturating.label_smoothing must be in [0, 1), got ${kw.label_smoothing}.`);
    }
    checkDimensions(kw);
    const real = need(kw, 'd_real_logits', 'non_saturating');
    const fake = need(kw, 'd_fake_logits', 'non_saturating');
    return tf.tidy(() => {
      const d_loss_real = tf.mean(sigmoidCrossEntropyWithLogits(real, tf.fill(real.shape, 1 - kw.label_smoothing))) as tf.Scalar;
      const d_loss_fake = tf.mean(sigmoidCrossEntropyWithLogits(fake, tf.zerosLike(fake))) as tf.Scalar;
      const g_loss = tf.mean(sigmoidCrossEntropyWithLogits(fake, tf.onesLike(fake))) as tf.Scalar;
      return { d_loss: tf.add(d_loss_real, d_loss_fake) as tf.Scalar, d_loss_real, d_loss_fake, g_loss };
    });
  },
);

/** Wasserstein loss (Arjovsky et al.): D maximises E[D(x)] - E[D(G(z))]. */
export const wasserstein = configurable('wasserstein', { module: 'loss_lib', params: {} }, (kw: LossInputs): GanLosses => {
  checkDimensions(kw);
  const real = need(kw, 'd_real_logits', 'wasserstein');
  const fake = need(kw, 'd_fake_logits', 'wasserstein');
  return tf.tidy(() => {
    const d_loss_real = tf.neg(tf.mean(real)) as tf.Scalar;
    const d_loss_fake = tf.mean(fake) as tf.Scalar;
    return { d_loss: tf.add(d_loss_real, d_loss_fake) as tf.Scalar, d_loss_real, d_loss_fake, g_loss: tf.neg(d_loss_fake) as tf.Scalar };
  });
});

/** Least-squares loss (Mao et al.) on the probabilities d_real, d_fake. */
export const least_squares = configurable('least_squares', { module: 'loss_lib', params: {} }, (kw: LossInputs): GanLosses => {
  checkDimensions(kw);
  const real = need(kw, 'd_real', 'least_squares');
  const fake = need(kw, 'd_fake', 'least_squares');
  return tf.tidy(() => {
    const d_loss_real = tf.mean(tf.square(tf.sub(real, 1))) as tf.Scalar;
    const d_loss_fake = tf.mean(tf.square(fake)) as tf.Scalar;
    const d_loss = tf.mul(0.5, tf.add(d_loss_real, d_loss_fake)) as tf.Scalar;
    const g_loss = tf.mul(0.5, tf.mean(tf.square(tf.sub(fake, 1)))) as tf.Scalar;
    return { d_loss, d_loss_real, d_loss_fake, g_loss };
  });
});

/** Hinge loss (Lim & Ye; Miyato et al.). */
export const hinge = configurable('hinge', { module: 'loss_lib', params: {} }, (kw: LossInputs): GanLosses => {
  checkDimensions(kw);
  const real = need(kw, 'd_real_logits', 'hinge');
  const fake = need(kw, 'd_fake_logits', 'hinge');
  return tf.tidy(() => {
    const d_loss_real = tf.mean(tf.relu(tf.sub(1, real))) as tf.Scalar;
    const d_loss_fake = tf.mean(tf.relu(tf.add(1, fake))) as tf.Scalar;
    return { d_loss: tf.add(d_loss_real, d_loss_fake) as tf.Scalar, d_loss_real, d_loss_fake, g_loss: tf.neg(tf.mean(fake)) as tf.Scalar };
  });
});

/**
 * Not a loss but the summary beside them: D's accuracy, the fraction of real examples with a
 * logit above 0 and of fakes at or below 0 (the decision boundary of the non-saturating, least
 * squares (on probabilities 0.5) and hinge losses; for the Wasserstein critic only the ordering is
 * meaningful). Computed from the logits the loss already has, no extra D call.
 */
export function discriminatorAccuracy(realLogits: tf.Tensor, fakeLogits: tf.Tensor): { d_acc_real: tf.Scalar; d_acc_fake: tf.Scalar } {
  return tf.tidy(() => ({
    d_acc_real: tf.mean(tf.cast(tf.greater(realLogits, 0), 'float32')) as tf.Scalar,
    d_acc_fake: tf.mean(tf.cast(tf.lessEqual(fakeLogits, 0), 'float32')) as tf.Scalar,
  }));
}

/**
 * The losses whose g_loss reads only D's outputs on the fakes (d_fake, d_fake_logits). For them
 * G's step may run D on the fakes alone (ModularGAN.generatorStep); a loss not listed here (an
 * imported one, say) keeps compare_gan's full real + fake call.
 */
const G_LOSS_READS_ONLY_FAKES: ReadonlySet<Function> = new Set<Function>([non_saturating, wasserstein, least_squares, hinge]);

/** Whether `fn`'s g_loss reads only the fakes (see G_LOSS_READS_ONLY_FAKES). */
export function gLossReadsOnlyFakes(fn: LossFn): boolean {
  return G_LOSS_READS_ONLY_FAKES.has(fn);
}

/** `loss.fn` (compare_gan's get_losses): calls the configured loss with the given inputs. */
export const get_losses = configurable(
  'loss',
  { module: 'loss_lib', params: { fn: { default: non_saturating, type: t.any, doc: '@non_saturating, @wasserstein, @least_squares or @hinge' } } },
  (kw: LossInputs & { fn: LossFn; resolve_only?: boolean }): GanLosses => {
    if (typeof kw.fn !== 'function') throw new Error(`loss.fn must be a loss reference such as @hinge, got ${String(kw.fn)}.`);
    const { fn, resolve_only, ...inputs } = kw;
    if (resolve_only) return fn as never;
    return fn(inputs);
  },
);

/** The loss function `loss.fn` resolves to under the current bindings and scope. */
export function configuredLoss(): LossFn {
  return get_losses({ resolve_only: true } as never) as unknown as LossFn;
}

/**
 * G's loss from D's outputs on the fakes alone; exact for the losses of G_LOSS_READS_ONLY_FAKES
 * (the fakes stand in for the real half, which their g_loss does not read).
 */
export function generatorLossFromFakes(fn: LossFn, d_fake: tf.Tensor, d_fake_logits: tf.Tensor): tf.Scalar {
  if (!gLossReadsOnlyFakes(fn)) throw new Error('generatorLossFromFakes needs a loss whose g_loss reads only the fakes (gLossReadsOnlyFakes).');
  return fn({ d_real: d_fake, d_fake, d_real_logits: d_fake_logits, d_fake_logits }).g_loss;
}
