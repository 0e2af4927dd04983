/** Shared helpers for the architecture tests: cpu backend, bindings, tiny inputs. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { config, ConfigurableReference } from '@cgan/config-lang';

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Binds `selector.param = value` (a `@ref` when value is {ref}). */
export function bind(selector: string, param: string, value: unknown): void {
  const v = typeof value === 'object' && value !== null && 'ref' in value ? new ConfigurableReference((value as { ref: string }).ref) : value;
  config.bind([], selector, param, v as never);
}

export function oneHot(labels: number[], numClasses: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses), 'float32') as tf.Tensor2D;
}

export function allFinite(t: tf.Tensor): boolean {
  return t.dataSync().every((v) => Number.isFinite(v));
}
