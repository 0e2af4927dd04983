/**
 * Optimizer state as the runner checkpoints it, from what the variant declares (`optimizers()`):
 *   - `optimizer` group: each optimizer's slots (@cgan/models' optimizerState), `<name>_opt/NNNNNN:<slot>`;
 *   - `optimizer_exact` group: every tf.Variable an optimizer holds directly. TF.js Adam keeps its
 *     running beta powers (accBeta1/accBeta2) outside getWeights(); setWeights() recomputes them
 *     with pow(), which differs in the last bits from the running product of a continuous run, so
 *     they are saved and put back after setWeights() for a bit-exact resume.
 */
import * as tf from '@tensorflow/tfjs-core';
import { learningRateOf, optimizerPrefix } from '@cgan/models';
import type { GanVariant } from '@cgan/models';

const prefixOf = optimizerPrefix;

function hiddenVariables(opt: tf.Optimizer): Array<[string, tf.Variable]> {
  return Object.entries(opt as unknown as Record<string, unknown>).filter((e): e is [string, tf.Variable] => typeof e[1] === 'object' && e[1] !== null && e[1] instanceof tf.Variable);
}

/** `<name>_opt/<optimizer property>` -> the variable (live; not to be disposed). */
export function optimizerHiddenState(gan: GanVariant): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const o of gan.optimizers()) for (const [k, v] of hiddenVariables(o.optimizer)) out.set(`${prefixOf(o.name)}${k}`, v);
  return out;
}

export function setOptimizerHiddenState(gan: GanVariant, saved: Map<string, tf.Tensor> | undefined): void {
  if (!saved) return;
  for (const o of gan.optimizers()) {
    for (const [k, v] of hiddenVariables(o.optimizer)) {
      const t = saved.get(`${prefixOf(o.name)}${k}`);
      if (t && t.shape.join(',') === v.shape.join(',') && t.dtype === v.dtype) v.assign(t);
    }
  }
}

/** The learning rate of each declared optimizer, as `<name>_lr` (e.g. g_lr, d_lr). */
export function learningRates(gan: GanVariant): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of gan.optimizers()) {
    const lr = learningRateOf(o.optimizer);
    if (lr !== undefined) out[`${o.name}_lr`] = lr;
  }
  return out;
}
