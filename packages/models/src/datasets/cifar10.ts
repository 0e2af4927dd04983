/**
 * `cifar10`: 32x32x3, 10 classes, from the binary batches (data_batch_1..5.bin, test_batch.bin
 * of cifar-10-binary.tar.gz). Each record is 1 label byte then 1024 red, 1024 green and 1024
 * blue bytes, row-major; we transpose to NHWC.
 */
import * as fs from 'fs';
import { DatasetError } from './errors';
import { FileSpec, locateFiles } from './files';
import { DatasetArrays, SplitData } from './in_memory';
import { locateOptions, registerDataset } from './registry';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const TRAIN = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
const TEST = ['test_batch.bin'];
const RECORD = 1 + 32 * 32 * 3;

export const CIFAR10_FILES: FileSpec = {
  name: 'cifar10',
  files: [...TRAIN, ...TEST],
  subdirs: ['cifar-10-batches-bin'],
  download: { archive: { url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz', prefix: 'cifar-10-batches-bin/' } },
};

/** Decodes CIFAR-10 binary batch files into one split. */
export function readCifarBatches(files: string[]): SplitData {
  const bufs = files.map((f) => {
    let b: Buffer;
    try {
      b = fs.readFileSync(f);
    } catch (e) {
      throw new DatasetError(`cannot read ${f}: ${(e as Error).message}`);
    }
    if (b.length === 0 || b.length % RECORD !== 0) {
      throw new DatasetError(
        `${f} is not a CIFAR-10 binary batch: ${b.length} bytes is not a whole number of ${RECORD}-byte records (a full batch is 10000 records, 30730000 bytes)`,
        'the file is truncated or damaged: delete it and get cifar-10-binary.tar.gz again',
      );
    }
    return { f, b };
  });
  const n = bufs.reduce((a, x) => a + x.b.length / RECORD, 0);
  const images = new Uint8Array(n * 3072);
  const labels = new Int32Array(n);
  let k = 0;
  for (const { f, b } of bufs) {
    for (let r = 0; r < b.length; r += RECORD, k++) {
      const label = b[r];
      if (label > 9) throw new DatasetError(`${f}: record ${r / RECORD} has label ${label}, not a class 0..9`, 'the file is damaged or not a CIFAR-10 batch');
      labels[k] = label;
      const dst = k * 3072;
      for (let p = 0; p < 1024; p++) {
        images[dst + 3 * p] = b[r + 1 + p];
        images[dst + 3 * p + 1] = b[r + 1 + 1024 + p];
        images[dst + 3 * p + 2] = b[r + 1 + 2048 + p];
      }
    }
  }
  return { images, labels };
}

registerDataset({
  name: 'cifar10',
  description: 'CIFAR-10, 32x32x3, 10 classes (binary batches data_batch_1..5.bin, test_batch.bin)',
  async load(opts): Promise<DatasetArrays> {
    const found = await locateFiles(CIFAR10_FILES, locateOptions(opts));
    const train = readCifarBatches(TRAIN.map((f) => found.paths[f]));
    const test = readCifarBatches(TEST.map((f) => found.paths[f]));
    return {
      info: {
        name: 'cifar10',
        imageShape: [32, 32, 3],
        numClasses: 10,
        numExamples: { train: train.labels.length, test: test.labels.length },
        classNames: CIFAR10_CLASSES,
        source: found.dir,
      },
      splits: { train, test },
    };
  },
});
