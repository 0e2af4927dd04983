/**
 * The one training core every variant uses: "minimize this loss over these variables with these
 * optimizers". One backward pass over the union of the variables; each optimizer applies the
 * gradients of its own variables (in their order: tfjs keeps slots by position). Summaries the
 * loss function reports are read back as numbers. A non-finite loss is reported, not applied:
 * the weights keep their last finite values and the runner stops with a divergence error naming it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyGradientsInOrder } from '../optimizers/tf_train';

/** An optimizer and the variables it updates. */
export interface Update {
  optimizer: tf.Optimizer;
  variables: tf.Variable[];
}

/** What a loss function returns: the scalar to minimise and scalars to report. */
export interface LossAndSummaries {
  loss: tf.Scalar;
  summaries?: Record<string, tf.Scalar>;
}

/**
 * One update step: minimises `lossFn()` over the variables of `updates`; returns
 * `{ [lossName]: value, ...summaries }` as numbers.
 */
export function minimize(lossFn: () => LossAndSummaries, updates: Update[], lossName: string): Record<string, number> {
  const vars = updates.flatMap((u) => u.variables);
  const kept: Record<string, tf.Scalar> = {};
  let value: tf.Scalar;
  let grads: tf.NamedTensorMap;
  try {
    ({ value, grads } = tf.variableGrads(() => {
      const out = lossFn();
      for (const [k, s] of Object.entries(out.summaries ?? {})) kept[k] = tf.keep(tf.clone(s));
      return out.loss;
    }, vars));
  } catch (e) {
    tf.dispose(Object.values(kept));
    throw e;
  }
  const result: Record<string, number> = { [lossName]: value.dataSync()[0] };
  for (const [k, s] of Object.entries(kept)) {
    if (k !== lossName) result[k] = s.dataSync()[0];
    s.dispose();
  }
  value.dispose();
  const finite = Number.isFinite(result[lossName]);
  if (updates.length === 1) {
    applyGradientsInOrder(updates[0].optimizer, updates[0].variables, grads, finite);
    return result;
  }
  const owner = new Map<string, number>();
  updates.forEach((u, i) => u.variables.forEach((v) => owner.set(v.name, i)));
  const parts: tf.NamedTensorMap[] = updates.map(() => ({}));
  for (const [name, g] of Object.entries(grads)) parts[owner.get(name) ?? 0][name] = g;
  updates.forEach((u, i) => applyGradientsInOrder(u.optimizer, u.variables, parts[i], finite));
  return result;
}
