/**
 * compare_gan's arch_ops.standardize_batch: normalises by the batch mean and variance over all
 * but the last (channel) axis, with no scale or offset. Gin parameters:
 * `standardize_batch.decay` (0.999), `.epsilon` (1e-3), `.use_moving_averages` (True) and
 * `.use_cross_replica_mean` (accepted for compatibility; one device, so it changes nothing).
 *
 * Inference statistics:
 * - use_moving_averages = True: non-trainable `moving_mean` (zeros) and `moving_variance`
 *   (ones), updated on each training call as `m <- decay * m + (1 - decay) * batch`, and used
 *   instead of the batch statistics when not training.
 * - use_moving_averages = False (BigGAN): accumulators `accu/accu_mean`, `accu/accu_variance`,
 *   `accu/accu_counter` (1e-12) and the flag `accu/update_accus`. When not training the layer
 *   returns accumulated / counter; with the flag set to 1 it first adds the current batch's
 *   statistics (compare_gan's eval fills them this way, see `setBnAccumulatorUpdates`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, t } from '@cgan/config-lang';
import { VariableStore } from '../core/variables';
import { OpContext, scope } from './context';
import { fusedBatchNorm, fusedBatchNormAvailable } from './fused_batch_norm';
import { constantInit } from './initializers';

export interface StandardizeBatchArgs {
  ctx: OpContext;
  inputs: tf.Tensor;
  is_training?: boolean;
  decay?: number;
  epsilon?: number;
  use_moving_averages?: boolean;
  use_cross_replica_mean?: boolean | null;
  /**
   * Scale and offset applied after standardizing (the batch norms' gamma and beta): C values or
   * [batch, C]. Functions, called after this layer's own variables exist (variable order stays).
   * While training on a backend with the fused kernels (wasm), standardizing, scale and offset
   * run as one op (ops/fused_batch_norm.ts); elsewhere as tfjs ops: times scale, plus offset.
   */
  scale?: () => tf.Tensor | null;
  offset?: () => tf.Tensor | null;
}

function movingVariables(ctx: OpContext, c: number): [tf.Variable, tf.Variable] {
  return [ctx.store.get('moving_mean', [c], constantInit(0), false), ctx.store.get('moving_variance', [c], constantInit(1), false)];
}

function movingMoments(ctx: OpContext, mean: tf.Tensor1D, variance: tf.Tensor1D, isTraining: boolean, decay: number): [tf.Tensor, tf.Tensor] {
  const [movingMean, movingVariance] = movingVariables(ctx, mean.shape[0]);
  if (!isTraining) return [movingMean, movingVariance];
  movingMean.assign(tf.tidy(() => tf.add(tf.mul(movingMean, decay), tf.mul(mean, 1 - decay))));
  movingVariance.assign(tf.tidy(() => tf.add(tf.mul(movingVariance, decay), tf.mul(variance, 1 - decay))));
  return [mean, variance];
}

function accumulatorVariables(ctx: OpContext, c: number): [tf.Variable, tf.Variable, tf.Variable, tf.Variable] {
  return scope(ctx, 'accu', () => [
    ctx.store.get('accu_mean', [c], constantInit(0), false),
    ctx.store.get('accu_variance', [c], constantInit(0), false),
    ctx.store.get('accu_counter', [], constantInit(1e-12), false),
    ctx.store.get('update_accus', [], constantInit(0), false),
  ]);
}

function accumulatedMoments(ctx: OpContext, mean: tf.Tensor1D, variance: tf.Tensor1D, isTraining: boolean): [tf.Tensor, tf.Tensor] {
  const [accuMean, accuVariance, accuCounter, updateAccus] = accumulatorVariables(ctx, mean.shape[0]);
  return scope(ctx, 'accu', () => {
    if (isTraining) return [mean, variance] as [tf.Tensor, tf.Tensor];
    // Adds the batch statistics when update_accus == 1 (a no-op when it is 0), without a read-back.
    accuMean.assign(tf.tidy(() => tf.add(accuMean, tf.mul(updateAccus, mean))));
    accuVariance.assign(tf.tidy(() => tf.add(accuVariance, tf.mul(updateAccus, variance))));
    accuCounter.assign(tf.tidy(() => tf.add(accuCounter, updateAccus)));
    return [tf.div(accuMean, accuCounter), tf.div(accuVariance, accuCounter)] as [tf.Tensor, tf.Tensor];
  });
}

/** [batch, C] per-sample parameters broadcast against a rank-4 x; [C] as is. */
function perChannel(p: tf.Tensor, x: tf.Tensor): tf.Tensor {
  return p.rank === 2 && x.rank === 4 ? tf.reshape(p, [-1, 1, 1, p.shape[1]!]) : p;
}

function standardizeBatchImpl(kw: StandardizeBatchArgs): tf.Tensor {
  const { ctx, inputs } = kw;
  const isTraining = kw.is_training ?? ctx.isTraining;
  if (inputs.rank !== 2 && inputs.rank !== 4) {
    throw new Error(`standardize_batch expects inputs of rank 2 or 4, got shape [${inputs.shape}] (in scope '${ctx.store.currentPath()}').`);
  }
  const c = inputs.shape[inputs.rank - 1];
  const x = (inputs.rank === 2 ? tf.reshape(inputs, [-1, 1, 1, c]) : inputs) as tf.Tensor4D;
  const epsilon = kw.epsilon ?? 1e-3;
  const moments = (mean: tf.Tensor1D, variance: tf.Tensor1D): [tf.Tensor, tf.Tensor] =>
    kw.use_moving_averages ?? true ? movingMoments(ctx, mean, variance, isTraining, kw.decay ?? 0.999) : accumulatedMoments(ctx, mean, variance, isTraining);
  let out: tf.Tensor;
  if (isTraining && x.dtype === 'float32' && fusedBatchNormAvailable()) {
    // One op: the batch moments, standardizing, scale and offset (and one kernel for the gradient).
    // This layer's variables first, then the scale's and offset's (the composite's order).
    if (kw.use_moving_averages ?? true) movingVariables(ctx, c);
    else accumulatorVariables(ctx, c);
    const scale = kw.scale?.() ?? null;
    const offset = kw.offset?.() ?? null;
    const r = fusedBatchNorm(x, scale ?? tf.ones(offset?.shape ?? [c]), offset ?? tf.zeros(scale?.shape ?? [c]), epsilon);
    moments(r.mean, r.variance);
    tf.dispose([r.mean, r.variance]);
    out = r.y;
  } else {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const [m, v] = moments(mean as tf.Tensor1D, variance as tf.Tensor1D);
    out = tf.mul(tf.sub(x, m), tf.rsqrt(tf.add(v, epsilon)));
    const scale = kw.scale?.() ?? null;
    if (scale) out = tf.mul(out, perChannel(scale, out));
    const offset = kw.offset?.() ?? null;
    if (offset) out = tf.add(out, perChannel(offset, out));
  }
  return inputs.rank === 2 ? tf.reshape(out, inputs.shape) : out;
}

export const standardize_batch = configurable(
  'standardize_batch',
  {
    module: 'arch_ops',
    params: {
      decay: { default: 0.999, type: t.number, doc: 'decay of the moving averages' },
      epsilon: { default: 1e-3, type: t.number, doc: 'added to the variance' },
      use_moving_averages: { default: true, type: t.bool, doc: 'moving averages (True) or accumulators (False) for inference' },
      use_cross_replica_mean: { default: null, type: t.optional(t.bool), doc: 'TPU option; no effect on one device' },
    },
  },
  standardizeBatchImpl,
);

function bnVariables(store: VariableStore, prefix: string, suffix: string): tf.Variable[] {
  return [...store.all(prefix).entries()].filter(([n]) => n.endsWith(suffix)).map(([, v]) => v);
}

/** Empties every batch-norm accumulator under `prefix` (e.g. 'generator/'). */
export function resetBnAccumulators(store: VariableStore, prefix = ''): void {
  for (const v of [...bnVariables(store, prefix, '/accu/accu_mean'), ...bnVariables(store, prefix, '/accu/accu_variance')]) {
    v.assign(tf.zerosLike(v));
  }
  for (const v of bnVariables(store, prefix, '/accu/accu_counter')) v.assign(tf.scalar(1e-12));
}

/**
 * Turns accumulation on or off (compare_gan's `update_accus` = 1 / 0). With it on, each
 * inference call adds its batch statistics; run a few batches through G, then turn it off.
 */
export function setBnAccumulatorUpdates(store: VariableStore, on: boolean, prefix = ''): void {
  for (const v of bnVariables(store, prefix, '/accu/update_accus')) v.assign(tf.scalar(on ? 1 : 0));
}
