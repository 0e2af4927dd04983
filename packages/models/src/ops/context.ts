/**
 * The context every op runs in: where its variables live, where their initial values' seeds
 * come from, and whether this call trains (batch-norm statistics and spectral-norm vectors are
 * updated only when `isTraining`). An architecture makes one per `apply` call.
 *
 * Seeds: a variable's initializer seed is derived from the context's Rng seed and the variable's
 * full name (`rng.fork(name)`), so initial weights are reproducible and do not depend on the
 * order in which variables are created.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's CommonJS build registers no gradient functions; tfjs-layers registers all of them
// (into the registry tfjs-core shares). Architectures are trained, so their ops load it.
import '@tensorflow/tfjs-layers';
import { Rng } from '../core/rng';
import { VariableStore } from '../core/variables';

export interface OpContext {
  store: VariableStore;
  rng: Rng;
  isTraining: boolean;
}

/** A context with a default seed (0) when the caller has no Rng. */
export function opContext(store: VariableStore, isTraining: boolean, rng: Rng = new Rng(0)): OpContext {
  return { store, rng, isTraining };
}

/** The full name `name` gets in the store's current scope. */
export function fullName(ctx: OpContext, name: string): string {
  const path = ctx.store.currentPath();
  return path ? `${path}/${name}` : name;
}

/** The initializer seed of variable `name` in the current scope (a 31-bit integer). */
export function variableSeed(ctx: OpContext, name: string): number {
  return ctx.rng.fork(fullName(ctx, name)).nextSeed();
}

/** Runs `fn` in the variable scope `name` (TF1's variable_scope). */
export function scope<T>(ctx: OpContext, name: string, fn: () => T): T {
  return ctx.store.scope(name, fn);
}

/**
 * tf.stop_gradient: the value of `x`, with no gradient flowing back into it.
 * (tfjs-core has no such op; a custom gradient returning zeros does the same.)
 */
const stopGradientOp = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.zerosLike(Array.isArray(dy) ? dy[0] : dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]);
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stopGradientOp(x) as T;
}
