/** `mnist` and `fashion-mnist`: 28x28 grayscale, 10 classes, 60000 train / 10000 test, IDX files. */
import { DatasetError } from './errors';
import { FileSpec, locateFiles } from './files';
import { readIdxFile, readIdxHeader } from './idx';
import { DatasetArrays, SplitData } from './in_memory';
import { DatasetInfo } from './types';
import { LoadOptions, locateOptions, registerDataset } from './registry';

const FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
};

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

export const MNIST_FILES: FileSpec = {
  name: 'mnist',
  files: Object.values(FILES),
  download: { bases: ['https://ossci-datasets.s3.amazonaws.com/mnist', 'http://yann.lecun.com/exdb/mnist'] },
};

export const FASHION_MNIST_FILES: FileSpec = {
  name: 'fashion-mnist',
  files: Object.values(FILES),
  debian: { package: 'dataset-fashion-mnist', dir: '/usr/share/datasets/fashion-mnist' },
  download: { bases: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com'] },
};

function refetchHint(spec: FileSpec): string {
  const ways = ['the file is damaged: delete it and get it again'];
  if (spec.debian) ways.push(`(Debian: apt-get install --reinstall ${spec.debian.package})`);
  return ways.join(' ');
}

function readSplit(spec: FileSpec, paths: Record<string, string>, imagesFile: string, labelsFile: string): SplitData {
  const hint = refetchHint(spec);
  const images = readIdxFile(paths[imagesFile], 3, hint);
  const labels = readIdxFile(paths[labelsFile], 1, hint);
  const [n, h, w] = images.dims;
  if (h !== 28 || w !== 28) throw new DatasetError(`${paths[imagesFile]} holds ${h}x${w} images, expected 28x28`, hint);
  if (labels.dims[0] !== n) {
    throw new DatasetError(`${paths[labelsFile]} has ${labels.dims[0]} labels but ${paths[imagesFile]} has ${n} images`, 'the files come from different releases or one is damaged: get both again');
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (labels.data[i] > 9) throw new DatasetError(`${paths[labelsFile]}: label ${labels.data[i]} of example ${i} is not a class 0..9`, hint);
    out[i] = labels.data[i];
  }
  return { images: images.data, labels: out };
}

export async function loadIdxDataset(spec: FileSpec, opts: LoadOptions, classNames?: string[]): Promise<DatasetArrays> {
  const found = await locateFiles(spec, locateOptions(opts));
  const train = readSplit(spec, found.paths, FILES.trainImages, FILES.trainLabels);
  const test = readSplit(spec, found.paths, FILES.testImages, FILES.testLabels);
  return {
    info: {
      name: spec.name,
      imageShape: [28, 28, 1],
      numClasses: 10,
      numExamples: { train: train.labels.length, test: test.labels.length },
      classNames,
      source: found.dir,
    },
    splits: { train, test },
  };
}

/** What loadIdxDataset would describe, from the four files' headers (no pixels read). */
export async function probeIdxDataset(spec: FileSpec, opts: LoadOptions, classNames?: string[]): Promise<DatasetInfo> {
  const found = await locateFiles(spec, locateOptions(opts));
  const hint = refetchHint(spec);
  const count = (imagesFile: string, labelsFile: string) => {
    const [n, h, w] = readIdxHeader(found.paths[imagesFile], 3, hint);
    if (h !== 28 || w !== 28) throw new DatasetError(`${found.paths[imagesFile]} holds ${h}x${w} images, expected 28x28`, hint);
    const [m] = readIdxHeader(found.paths[labelsFile], 1, hint);
    if (m !== n) throw new DatasetError(`${found.paths[labelsFile]} has ${m} labels but ${found.paths[imagesFile]} has ${n} images`, 'the files come from different releases or one is damaged: get both again');
    return n;
  };
  const numExamples = { train: count(FILES.trainImages, FILES.trainLabels), test: count(FILES.testImages, FILES.testLabels) };
  return { name: spec.name, imageShape: [28, 28, 1], numClasses: 10, numExamples, classNames, source: found.dir };
}

registerDataset({
  name: 'mnist',
  description: 'MNIST digits, 28x28x1, 10 classes (IDX gzip files)',
  load: (opts) => loadIdxDataset(MNIST_FILES, opts),
  probe: (opts) => probeIdxDataset(MNIST_FILES, opts),
});

registerDataset({
  name: 'fashion-mnist',
  description: "Zalando's Fashion-MNIST, 28x28x1, 10 classes (IDX gzip files; Debian: dataset-fashion-mnist)",
  load: (opts) => loadIdxDataset(FASHION_MNIST_FILES, opts, FASHION_MNIST_CLASSES),
  probe: (opts) => probeIdxDataset(FASHION_MNIST_FILES, opts, FASHION_MNIST_CLASSES),
});
