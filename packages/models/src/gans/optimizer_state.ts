/**
 * A variant's optimizer slots from what it declares (`optimizers()`), as named tensors
 * `<name>_opt/NNNNNN:<slot>` (the runner's checkpoint group `optimizer`), and their restore.
 */
import * as tf from '@tensorflow/tfjs-core';
import { optimizerWeights, setOptimizerWeights } from '../optimizers/tf_train';
import { GanVariant } from './abstract_gan';

export const optimizerPrefix = (name: string): string => `${name}_opt/`;

/** Every declared optimizer's slots (copies the caller disposes). */
export async function optimizerState(gan: Pick<GanVariant, 'optimizers'>): Promise<Map<string, tf.Tensor>> {
  const out = new Map<string, tf.Tensor>();
  for (const o of gan.optimizers()) for (const [k, v] of await optimizerWeights(o.optimizer, optimizerPrefix(o.name))) out.set(k, v);
  return out;
}

/** Restores what `optimizerState` saved. */
export async function setOptimizerState(gan: Pick<GanVariant, 'optimizers'>, state: Map<string, tf.Tensor>): Promise<void> {
  for (const o of gan.optimizers()) await setOptimizerWeights(o.optimizer, optimizerPrefix(o.name), state);
}
