/**
 * Exact optimizer resume. TF.js optimizers keep some state outside getWeights(): Adam's
 * running beta powers (accBeta1/accBeta2) are recomputed by setWeights() with pow(), which
 * differs in the last bits from the running product a continuous run has, so a resumed run
 * would drift from an uninterrupted one. The runner saves every tf.Variable an optimizer of
 * the GAN holds directly, and puts them back after the GAN's own setOptimizerState().
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GanVariant } from '@cgan/models';

export function optimizersOf(gan: GanVariant): Array<[string, tf.Optimizer]> {
  return Object.entries(gan as unknown as Record<string, unknown>).filter((e): e is [string, tf.Optimizer] => typeof e[1] === 'object' && e[1] !== null && e[1] instanceof tf.Optimizer);
}

function hiddenVariables(opt: tf.Optimizer): Array<[string, tf.Variable]> {
  return Object.entries(opt as unknown as Record<string, unknown>).filter((e): e is [string, tf.Variable] => typeof e[1] === 'object' && e[1] !== null && e[1] instanceof tf.Variable);
}

/** `<gan property>/<optimizer property>` -> the variable (live; not to be disposed). */
export function optimizerHiddenState(gan: GanVariant): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [p, opt] of optimizersOf(gan)) for (const [k, v] of hiddenVariables(opt)) out.set(`${p}/${k}`, v);
  return out;
}

export function setOptimizerHiddenState(gan: GanVariant, saved: Map<string, tf.Tensor> | undefined): void {
  if (!saved) return;
  for (const [p, opt] of optimizersOf(gan)) {
    for (const [k, v] of hiddenVariables(opt)) {
      const t = saved.get(`${p}/${k}`);
      if (t && t.shape.join(',') === v.shape.join(',') && t.dtype === v.dtype) v.assign(t);
    }
  }
}

/**
 * The network an optimizer property trains, in snake_case: gOptimizer -> g, dOptimizer -> d,
 * eOptimizer -> e, classifierOptimizer -> classifier (the prefix of g_lr, d_grad_norm, ...).
 */
export function networkName(optimizerProperty: string): string {
  return optimizerProperty.replace(/_?[Oo]ptimizer$/, '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The learning rate of each optimizer the GAN holds, as `<network>_lr` (g_lr, d_lr, ...). */
export function learningRates(gan: GanVariant): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [p, opt] of optimizersOf(gan)) {
    const lr = (opt as unknown as { learningRate?: unknown }).learningRate;
    if (typeof lr === 'number') out[`${networkName(p)}_lr`] = lr;
  }
  return out;
}
