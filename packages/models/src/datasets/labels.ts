/**
 * `labels.fraction`: keep the labels of only a fraction of the training examples, chosen per
 * class (stratified) by a seeded draw that is the same in every run with the same seed.
 * The others are marked unlabelled (`labelled = 0`, an all-zero one-hot for S3GAN).
 */
import { configurable, t } from '@cgan/config-lang';
import { Rng } from '../core/rng';
import { DatasetError } from './errors';

export interface LabelOptions {
  /** Fraction of training examples, per class, whose label is kept (0..1). */
  fraction: number;
  /** Seed of the draw; null: the dataset's seed. */
  seed: number | null;
}

/** The `labels` configurable: returns its (bound) settings. */
export const labelsConfig = configurable(
  'labels',
  {
    params: {
      fraction: { default: 1.0, type: t.number, doc: 'fraction of training labels kept, chosen per class' },
      seed: { default: null, type: t.optional(t.int), doc: 'seed of the labelled subset (None: the dataset seed)' },
    },
  },
  (kw: Partial<LabelOptions> = {}): LabelOptions => ({ fraction: kw.fraction ?? 1, seed: kw.seed ?? null }),
);

/**
 * A 0/1 mask over `classLabels`: for each class c with n_c examples, exactly
 * round(fraction * n_c) of them (at least one when fraction > 0) keep their label.
 */
export function stratifiedLabelMask(classLabels: Int32Array, numClasses: number, fraction: number, seed: number): Uint8Array {
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new DatasetError(`labels.fraction must be between 0 and 1, got ${fraction}`, 'e.g. labels.fraction = 0.1 keeps 10% of the training labels');
  }
  const mask = new Uint8Array(classLabels.length);
  if (fraction === 1) return mask.fill(1);
  if (fraction === 0) return mask;
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < classLabels.length; i++) {
    const c = classLabels[i];
    if (c < 0 || c >= numClasses) throw new DatasetError(`label ${c} of example ${i} is outside 0..${numClasses - 1}`);
    byClass[c].push(i);
  }
  const rng = new Rng(seed >>> 0);
  byClass.forEach((members, c) => {
    if (!members.length) return;
    const keep = Math.max(1, Math.round(fraction * members.length));
    const perm = rng.fork(`labels/class/${c}`).permutation(members.length);
    for (let k = 0; k < keep; k++) mask[members[perm[k]]] = 1;
  });
  return mask;
}
