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
 * Sees every update `minimize` applies (the runner's gradient health): the gradients of each
 * optimizer's variables before they are applied, and the variables after. Not called for a
 * non-finite loss (nothing is applied then).
 */
export interface UpdateObserver {
  beforeApply(update: Update, grads: tf.NamedTensorMap): void;
  afterApply(update: Update): void;
}

let observer: UpdateObserver | null = null;

/** Installs (or, with null, removes) the observer of every update; returns the previous one. */
export function observeUpdates(o: UpdateObserver | null): UpdateObserver | null {
  const prev = observer;
  observer = o;
  return prev;
}

function apply(u: Update, grads: tf.NamedTensorMap, finite: boolean): void {
  const watch = finite ? observer : null;
  watch?.beforeApply(u, grads);
  applyGradientsInOrder(u.optimizer, u.variables, grads, finite);
  watch?.afterApply(u);
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
    apply(updates[0], grads, finite);
    return result;
  }
  const owner = new Map<string, number>();
  updates.forEach((u, i) => u.variables.forEach((v) => owner.set(v.name, i)));
  const parts: tf.NamedTensorMap[] = updates.map(() => ({}));
  for (const [name, g] of Object.entries(grads)) parts[owner.get(name) ?? 0][name] = g;
  updates.forEach((u, i) => apply(u, parts[i], finite));
  return result;
}
