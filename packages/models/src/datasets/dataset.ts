/**
 * The `dataset` configurable (Compare GAN's `dataset.name = "cifar10"`) and `createDataset`,
 * which the runner calls: it loads the named dataset through the registry, adapts resolution
 * and colours when asked, and applies `labels.fraction` to the training split.
 */
import { configurable, t } from '@cgan/config-lang';
import { Rng } from '../core/rng';
import { DatasetError } from './errors';
import { InMemoryDataset } from './in_memory';
import { labelsConfig, stratifiedLabelMask } from './labels';
import { datasetNameType, getDatasetFactory, LoadOptions } from './registry';
import { adaptImages } from './resize';
import { DatasetInfo } from './types';

/** Compare GAN's default dataset seed. */
export const DEFAULT_DATASET_SEED = 547;

export type DatasetSettings = Omit<LoadOptions, 'seed' | 'log' | 'timeoutS'> & { seed: number | null; prefetch: number };

const optInt = t.optional(t.int);

/** The `dataset` configurable: returns its (bound) settings. */
export const datasetConfig = configurable(
  'dataset',
  {
    params: {
      name: { default: 'shapes', type: datasetNameType, doc: 'fashion-mnist, mnist, cifar10, image_folder, shapes or fake' },
      data_dir: { default: null, type: t.optional(t.string), doc: 'folder holding the files (--data_dir)' },
      resolution: { default: null, type: optInt, doc: "square image size; None: the dataset's own" },
      colors: { default: null, type: t.optional(t.oneOf(1, 3)), doc: "1 (grayscale) or 3 (RGB); None: the dataset's own" },
      num_classes: { default: null, type: optInt, doc: 'classes of generated datasets (shapes, fake)' },
      num_train_examples: { default: null, type: optInt, doc: 'training examples of generated datasets' },
      num_test_examples: { default: null, type: optInt, doc: 'test examples of generated datasets' },
      test_fraction: { default: 0.1, type: t.number, doc: 'image_folder without train/ and test/: held-out fraction' },
      download: { default: true, type: t.bool, doc: 'fetch missing files from the canonical URL' },
      seed: { default: null, type: optInt, doc: "None: the run's seed (runtime.seed), else 547" },
      prefetch: { default: 2, type: t.int, doc: 'batches prepared ahead of the training loop' },
    },
  },
  (kw: Partial<DatasetSettings> = {}): DatasetSettings => kw as DatasetSettings,
);

export interface CreateDatasetOptions {
  /** The run's seed; used when `dataset.seed` is None. */
  seed?: number;
  /** Or the run's random stream: the dataset forks its own from it. */
  rng?: Rng;
  /** Explicit settings, winning over bindings (e.g. `{ data_dir }` from --data_dir). */
  overrides?: Partial<DatasetSettings>;
  log?: (msg: string) => void;
  /** Download timeout in seconds (default 120). */
  timeoutS?: number;
}

/** The `dataset` settings (overrides winning over bindings), the dataset's seed and its factory. */
function resolveDataset(opts: CreateDatasetOptions) {
  const clean = Object.fromEntries(Object.entries(opts.overrides ?? {}).filter(([, v]) => v !== undefined));
  const s = datasetConfig(clean);
  const seed = s.seed ?? opts.seed ?? (opts.rng ? opts.rng.fork('dataset').seed : DEFAULT_DATASET_SEED);
  const loadOptions: LoadOptions = { ...s, seed, log: opts.log, timeoutS: opts.timeoutS };
  return { s, seed, factory: getDatasetFactory(s.name), loadOptions };
}

/**
 * What createDataset would describe (shape after `dataset.resolution`/`colors`, classes, counts,
 * `labels.fraction`), read from file headers only; undefined for a dataset without a probe.
 */
export async function probeDataset(opts: CreateDatasetOptions = {}): Promise<DatasetInfo | undefined> {
  const { s, factory, loadOptions } = resolveDataset(opts);
  if (!factory.probe) return undefined;
  const info = await factory.probe(loadOptions);
  const res = s.resolution ?? info.imageShape[0];
  const colors = s.colors ?? info.imageShape[2];
  if (!Number.isInteger(res) || res < 1) throw new DatasetError(`dataset.resolution must be a positive integer, got ${res}`);
  return { ...info, imageShape: [res, res, colors], labelFraction: labelsConfig().fraction };
}

/** Loads the configured dataset (`dataset.*`, `labels.*` bindings) into memory. */
export async function createDataset(opts: CreateDatasetOptions = {}): Promise<InMemoryDataset> {
  const { s, seed, factory, loadOptions } = resolveDataset(opts);
  const loaded = await factory.load(loadOptions);
  let { info, splits } = loaded;

  const res = s.resolution ?? info.imageShape[0];
  const colors = s.colors ?? info.imageShape[2];
  if (!Number.isInteger(res) || res < 1) throw new DatasetError(`dataset.resolution must be a positive integer, got ${res}`);
  if (res !== info.imageShape[0] || res !== info.imageShape[1] || colors !== info.imageShape[2]) {
    const from = info.imageShape;
    splits = {
      train: { ...splits.train, images: adaptImages(splits.train.images, splits.train.labels.length, from, res, colors) },
      test: { ...splits.test, images: adaptImages(splits.test.images, splits.test.labels.length, from, res, colors) },
    };
    info = { ...info, imageShape: [res, res, colors] };
    opts.log?.(`${info.name}: images resized from ${from.join('x')} to ${res}x${res}x${colors}`);
  }

  const l = labelsConfig();
  if (l.fraction !== 1) {
    const mask = stratifiedLabelMask(splits.train.labels, info.numClasses, l.fraction, l.seed ?? seed);
    splits = { ...splits, train: { ...splits.train, labelled: mask } };
    const kept = mask.reduce((a, b) => a + b, 0);
    opts.log?.(`${info.name}: labels.fraction = ${l.fraction}: ${kept} of ${mask.length} training labels kept`);
  }
  info = { ...info, labelFraction: l.fraction };
  return new InMemoryDataset(info, splits, s.prefetch ?? 2);
}
