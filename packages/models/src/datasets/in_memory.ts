/**
 * A dataset held in memory as uint8 NHWC arrays (decoded once), served as tensor batches:
 * seeded per-epoch shuffling, batching, resume by skipping batches, and prefetching of the
 * next batches' host arrays so that the training loop never waits on data preparation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../core/rng';
import { DatasetError } from './errors';
import { Batch, BatchOptions, DatasetInfo, GanDataset, Split } from './types';

/** One split, decoded: `images` is [n, h, w, c] uint8 (0..255), `labels` class indices. */
export interface SplitData {
  images: Uint8Array;
  labels: Int32Array;
  /** 1 where the label may be used; all ones when absent. */
  labelled?: Uint8Array;
}

/** What a dataset loader returns: its description and both splits. */
export interface DatasetArrays {
  info: DatasetInfo;
  splits: Record<Split, SplitData>;
}

/** A batch before it becomes tensors (plain typed arrays, already scaled to [0, 1]). */
export interface HostBatch {
  size: number;
  images: Float32Array;
  labels: Int32Array;
  labelled: Float32Array;
}

const TO_UNIT = new Float32Array(256).map((_, i) => i / 255);

export class InMemoryDataset implements GanDataset {
  constructor(
    readonly info: DatasetInfo,
    private readonly splits: Record<Split, SplitData>,
    /** How many batches to prepare ahead of the consumer. */
    readonly prefetch = 2,
  ) {
    const [h, w, c] = info.imageShape;
    for (const s of ['train', 'test'] as Split[]) {
      const d = splits[s];
      const n = d.labels.length;
      if (d.images.length !== n * h * w * c) {
        throw new DatasetError(`${info.name} ${s} split: ${d.images.length} pixel values for ${n} labels of shape ${h}x${w}x${c}`);
      }
      if (d.labelled && d.labelled.length !== n) throw new DatasetError(`${info.name} ${s} split: labelled mask has ${d.labelled.length} entries for ${n} examples`);
    }
  }

  /** The raw decoded arrays of a split (uint8 NHWC images, int32 labels). */
  data(split: Split): SplitData {
    return this.splits[split];
  }

  /** Number of batches in one epoch of `split` with these options. */
  batchesPerEpoch(split: Split, opts: BatchOptions): number {
    const n = this.splits[split].labels.length;
    return dropRemainder(opts) ? Math.floor(n / opts.batchSize) : Math.ceil(n / opts.batchSize);
  }

  /** The example order of one epoch: a seeded permutation, or 0..n-1 without a seed. */
  epochOrder(split: Split, epoch: number, seed?: number): Int32Array {
    const n = this.splits[split].labels.length;
    if (seed === undefined) return Int32Array.from({ length: n }, (_, i) => i);
    return new Rng(seed >>> 0).fork(`${this.info.name}/${split}/epoch/${epoch}`).permutation(n);
  }

  /** Batches as typed arrays (synchronous; `batches` wraps this with prefetching). */
  *hostBatches(split: Split, opts: BatchOptions): Generator<HostBatch> {
    const bs = opts.batchSize;
    if (!Number.isInteger(bs) || bs <= 0) throw new DatasetError(`batch size must be a positive integer, got ${bs}`);
    const skip = opts.skipBatches ?? 0;
    if (!Number.isInteger(skip) || skip < 0) throw new DatasetError(`skipBatches must be a non-negative integer, got ${skip}`);
    const d = this.splits[split];
    const n = d.labels.length;
    const perEpoch = this.batchesPerEpoch(split, opts);
    if (perEpoch === 0) {
      if (!opts.repeat) return;
      throw new DatasetError(
        `the ${split} split of ${this.info.name} has ${n} examples, fewer than one batch of ${bs}`,
        'use a smaller batch size, or more examples (dataset.num_train_examples / num_test_examples for generated datasets)',
      );
    }
    const [h, w, c] = this.info.imageShape;
    const pix = h * w * c;
    let epoch = Math.floor(skip / perEpoch);
    let b = skip % perEpoch;
    for (;;) {
      if (!opts.repeat && epoch > 0) return;
      const order = this.epochOrder(split, epoch, opts.seed);
      for (; b < perEpoch; b++) {
        const start = b * bs;
        const size = Math.min(bs, n - start);
        const images = new Float32Array(size * pix);
        const labels = new Int32Array(size);
        const labelled = new Float32Array(size);
        for (let i = 0; i < size; i++) {
          const k = order[start + i];
          const src = k * pix;
          const dst = i * pix;
          for (let j = 0; j < pix; j++) images[dst + j] = TO_UNIT[d.images[src + j]];
          labels[i] = d.labels[k];
          labelled[i] = d.labelled ? d.labelled[k] : 1;
        }
        yield { size, images, labels, labelled };
      }
      b = 0;
      epoch++;
    }
  }

  async *batches(split: Split, opts: BatchOptions): AsyncGenerator<Batch> {
    const host = this.hostBatches(split, opts);
    const depth = Math.max(1, this.prefetch);
    const queue: Array<Promise<IteratorResult<HostBatch>>> = [];
    // Each queued step runs on a later macrotask, so preparing batch k+1 overlaps with
    // whatever the consumer awaits while it uses batch k.
    const fill = () => {
      while (queue.length < depth) {
        queue.push(new Promise((resolve, reject) => setImmediate(() => {
          try {
            resolve(host.next());
          } catch (e) {
            reject(e);
          }
        })));
      }
    };
    try {
      for (;;) {
        fill();
        const r = await queue.shift()!;
        if (r.done) return;
        fill();
        yield hostBatchToTensors(r.value, this.info.imageShape);
      }
    } finally {
      host.return(undefined);
      // Settle what is still queued so no rejection goes unhandled.
      for (const p of queue) p.catch(() => undefined);
    }
  }
}

function dropRemainder(opts: BatchOptions): boolean {
  return opts.dropRemainder ?? !!opts.repeat;
}

export function hostBatchToTensors(b: HostBatch, shape: [number, number, number]): Batch {
  return {
    images: tf.tensor4d(b.images, [b.size, ...shape], 'float32'),
    labels: tf.tensor1d(b.labels, 'int32'),
    labelled: tf.tensor1d(b.labelled, 'float32'),
  };
}
