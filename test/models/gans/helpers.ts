import * as tf from '@tensorflow/tfjs-core';
import { parseConfig } from '@cgan/config-lang';
import { Batch, DatasetInfo, GanVariant, getOptions, Rng, VariableStore } from '@cgan/models';
import './tiny_arch';

export const info: DatasetInfo = { name: 'tiny', imageShape: [8, 8, 1], numClasses: 3, numExamples: { train: 64, test: 16 } };

export const BASE_GIN = `
options.batch_size = 8
options.architecture = "tiny_test_arch"
options.training_steps = 10
options.z_dim = 8
`;

/** Parses `gin` (plus the base options) and constructs options.gan_class as the runner does. */
export function buildGan(gin: string, seed = 1, datasetInfo: DatasetInfo = info): { gan: GanVariant & Record<string, any>; store: VariableStore } {
  parseConfig(BASE_GIN + gin);
  const Gan = getOptions().gan_class as new (kw: object) => GanVariant & Record<string, any>;
  const store = new VariableStore();
  try {
    const gan = new Gan({ datasetInfo, store, rng: new Rng(seed) });
    gan.build();
    return { gan, store };
  } catch (e) {
    store.dispose();
    throw e;
  }
}

/** A batch of random images; labelled[i] = 0 for the indices in `hidden`. */
export function randomBatch(bs: number, seed: number, hidden: number[] = []): Batch {
  const labels = new Int32Array(bs);
  for (let i = 0; i < bs; i++) labels[i] = i % info.numClasses;
  const labelled = new Float32Array(bs).fill(1);
  for (const i of hidden) labelled[i] = 0;
  return {
    images: tf.randomUniform([bs, ...info.imageShape], 0, 1, 'float32', seed) as tf.Tensor4D,
    labels: tf.tensor1d(labels, 'int32'),
    labelled: tf.tensor1d(labelled),
  };
}

export function disposeGan(gan: Record<string, any>, store: VariableStore): void {
  for (const k of ['gOptimizer', 'dOptimizer', 'classifierOptimizer']) gan[k]?.dispose();
  store.dispose();
}

export function allFinite(s: Record<string, number>): boolean {
  return Object.values(s).every(Number.isFinite);
}
