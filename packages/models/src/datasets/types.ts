/**
 * The contract between datasets and the rest of the library.
 * Images are float32 NHWC in [0, 1]; labels are class indices; `labelled[i]` is 0 for
 * examples whose label is hidden by `labels.fraction` (S3GAN then sees an all-zero one-hot).
 */
import * as tf from '@tensorflow/tfjs-core';

export type Split = 'train' | 'test';

export interface DatasetInfo {
  /** Compare GAN's name, e.g. 'fashion-mnist'. */
  name: string;
  /** [height, width, channels]. */
  imageShape: [number, number, number];
  numClasses: number;
  numExamples: Record<Split, number>;
  /** Human-readable class names, index = label, when known. */
  classNames?: string[];
  /** Where the data came from (a folder), when loaded from files. */
  source?: string;
  /** `labels.fraction` applied to the training split (1 when all labels are kept). */
  labelFraction?: number;
  /** Unpaired two-domain data (dataset.name = "unpaired"): each domain's own description. */
  domains?: { a: DatasetInfo; b: DatasetInfo; pairedTest?: boolean };
}

export interface Batch {
  /** [batch, h, w, c], float32 in [0, 1]. */
  images: tf.Tensor4D;
  /** [batch] int32 class indices. */
  labels: tf.Tensor1D;
  /** [batch] float32: 1 where the label may be used, 0 where it is hidden. */
  labelled: tf.Tensor1D;
  /** Unpaired data: a batch of domain-B images (`images` are domain A's), drawn independently. */
  imagesB?: tf.Tensor4D;
}

/** Disposes every tensor of a batch. */
export function disposeBatch(b: Batch): void {
  tf.dispose([b.images, b.labels, b.labelled, ...(b.imagesB ? [b.imagesB] : [])]);
}

export interface BatchOptions {
  batchSize: number;
  /** Shuffle with this seed each epoch (deterministic); no shuffle when undefined. */
  seed?: number;
  /** Repeat forever (training) or stop after one pass (evaluation). */
  repeat?: boolean;
  /** Drop a last partial batch. Default true when repeating. */
  dropRemainder?: boolean;
  /** Skip this many batches first (resuming a run). */
  skipBatches?: number;
}

export interface GanDataset {
  readonly info: DatasetInfo;
  /** Batches of `split`; the caller disposes each batch's tensors. */
  batches(split: Split, opts: BatchOptions): AsyncIterableIterator<Batch>;
}
