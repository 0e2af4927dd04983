/**
 * TensorFlow 1 optimizers under their Gin names (`tf.train.AdamOptimizer`, ...), mapped onto
 * tfjs' `tf.train.*`. Each takes keyword arguments with TensorFlow's parameter names; GANs call
 * them as compare_gan does, `g_optimizer_fn({ learning_rate: g_lr })`, and bindings fill the rest
 * (e.g. `tf.train.AdamOptimizer.beta1 = 0.5`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { externalConfigurable, REQUIRED, t } from '@cgan/config-lang';
import { FusedAdamOptimizer } from './fused_adam';

export type OptimizerFn = (kw: { learning_rate?: number; name?: string }) => tf.Optimizer;

function positive(name: string, v: number): number {
  if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new Error(`${name} must be a positive number, got ${v}.`);
  return v;
}

function adamOptimizer(kw: { learning_rate: number; beta1: number; beta2: number; epsilon: number }): tf.Optimizer {
  // tf.train.adam's optimizer, each variable's update as one kernel (fused_adam.ts).
  return new FusedAdamOptimizer(positive('tf.train.AdamOptimizer.learning_rate', kw.learning_rate), kw.beta1, kw.beta2, kw.epsilon);
}

function rmspropOptimizer(kw: { learning_rate: number; decay: number; momentum: number; epsilon: number; centered: boolean }): tf.Optimizer {
  return tf.train.rmsprop(positive('tf.train.RMSPropOptimizer.learning_rate', kw.learning_rate), kw.decay, kw.momentum, kw.epsilon, kw.centered);
}

function gradientDescentOptimizer(kw: { learning_rate: number }): tf.Optimizer {
  return tf.train.sgd(positive('tf.train.GradientDescentOptimizer.learning_rate', kw.learning_rate));
}

function momentumOptimizer(kw: { learning_rate: number; momentum: number; use_nesterov: boolean }): tf.Optimizer {
  return tf.train.momentum(positive('tf.train.MomentumOptimizer.learning_rate', kw.learning_rate), kw.momentum, kw.use_nesterov);
}

/** Defaults are TensorFlow 1's. `name` is accepted (compare_gan passes "g_"/"d_") and unused. */
export const AdamOptimizer = externalConfigurable(adamOptimizer, 'AdamOptimizer', {
  module: 'tf.train',
  params: { learning_rate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, name: { default: 'Adam', type: t.string } },
}) as unknown as OptimizerFn;

export const RMSPropOptimizer = externalConfigurable(rmspropOptimizer, 'RMSPropOptimizer', {
  module: 'tf.train',
  params: { learning_rate: { default: REQUIRED, type: t.number }, decay: 0.9, momentum: 0.0, epsilon: 1e-10, centered: false, name: { default: 'RMSProp', type: t.string } },
}) as unknown as OptimizerFn;

export const GradientDescentOptimizer = externalConfigurable(gradientDescentOptimizer, 'GradientDescentOptimizer', {
  module: 'tf.train',
  params: { learning_rate: { default: REQUIRED, type: t.number }, name: { default: 'GradientDescent', type: t.string } },
}) as unknown as OptimizerFn;

export const MomentumOptimizer = externalConfigurable(momentumOptimizer, 'MomentumOptimizer', {
  module: 'tf.train',
  params: { learning_rate: { default: REQUIRED, type: t.number }, momentum: { default: REQUIRED, type: t.number }, use_nesterov: false, name: { default: 'Momentum', type: t.string } },
}) as unknown as OptimizerFn;

/**
 * Applies `grads` (from tf.variableGrads over `vars`) with `opt`, then disposes them. tfjs
 * optimizers keep their slots by position in the gradient map, so every variable of `vars` gets an
 * entry, always in the order of `vars` (a variable without gradient gets zeros). Nothing is applied
 * when `apply` is false (e.g. a non-finite loss).
 */
export function applyGradientsInOrder(opt: tf.Optimizer, vars: tf.Variable[], grads: tf.NamedTensorMap, apply = true): void {
  const ordered: tf.NamedTensorMap = {};
  for (const v of vars) ordered[v.name] = grads[v.name] ?? tf.zerosLike(v);
  if (apply) opt.applyGradients(ordered);
  tf.dispose(Object.values(ordered));
  tf.dispose(Object.values(grads).filter((g) => !Object.values(ordered).includes(g)));
}

/**
 * An optimizer's slots as named tensors, each name prefixed with `prefix` (e.g. 'g_opt/'),
 * in the order tfjs expects them back. The tensors are copies the caller owns.
 */
export async function optimizerWeights(opt: tf.Optimizer, prefix: string): Promise<Map<string, tf.Tensor>> {
  const out = new Map<string, tf.Tensor>();
  const ws = await opt.getWeights();
  ws.forEach((w, i) => out.set(`${prefix}${String(i).padStart(6, '0')}:${w.name}`, w.tensor.clone()));
  return out;
}

/** Restores what `optimizerWeights` saved (the entries starting with `prefix`). */
export async function setOptimizerWeights(opt: tf.Optimizer, prefix: string, state: Map<string, tf.Tensor>): Promise<void> {
  const entries = [...state.entries()].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return;
  const weights = entries.map(([k, tensor]) => {
    const rest = k.slice(prefix.length);
    const colon = rest.indexOf(':');
    if (colon < 0) throw new Error(`Optimizer state entry '${k}' is not of the form '${prefix}NNNNNN:name'; the checkpoint was not written by optimizerWeights().`);
    return { name: rest.slice(colon + 1), tensor: tensor.clone() };
  });
  await opt.setWeights(weights);
}
