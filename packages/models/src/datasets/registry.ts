/**
 * Name → dataset factory. Adding a dataset is one `registerDataset` call in its own module;
 * `dataset.name` is checked against this registry when a config is bound.
 */
import { ConfigError, ConfigurableReference, didYouMean, MacroReference, ParamType, REQUIRED } from '@cgan/config-lang';
import { LocateOptions } from './files';
import { DatasetArrays } from './in_memory';
import { DatasetInfo } from './types';

/** What every loader receives: the `dataset` configurable's settings, resolved. */
export interface LoadOptions {
  name: string;
  data_dir: string | null;
  /** Square output size; null: the dataset's own. */
  resolution: number | null;
  /** 1 (grayscale) or 3 (RGB); null: the dataset's own. */
  colors: number | null;
  num_classes: number | null;
  num_train_examples: number | null;
  num_test_examples: number | null;
  /** Held-out fraction for folders without train/ and test/ (image_folder). */
  test_fraction: number;
  download: boolean;
  /** The dataset's seed (generated datasets, label mask). */
  seed: number;
  log?: (msg: string) => void;
  /** Download timeout in seconds. */
  timeoutS?: number;
}

/** The file-lookup settings within a loader's options. */
export function locateOptions(o: LoadOptions): LocateOptions {
  return { dataDir: o.data_dir, download: o.download, log: o.log, timeoutS: o.timeoutS };
}

export interface DatasetFactory {
  name: string;
  description: string;
  load(opts: LoadOptions): Promise<DatasetArrays>;
  /**
   * What `load` would describe, found without reading the data (file headers only), for checks
   * that need the shapes but not the pixels (`gan config check`). Optional: without it, a check
   * loads the data.
   */
  probe?(opts: LoadOptions): Promise<DatasetInfo>;
}

const factories = new Map<string, DatasetFactory>();

export function registerDataset(f: DatasetFactory): void {
  const old = factories.get(f.name);
  if (old && old !== f && old.load !== f.load) throw new Error(`a dataset named '${f.name}' is already registered`);
  factories.set(f.name, f);
}

export function datasetNames(): string[] {
  return [...factories.keys()].sort();
}

/** Every registered dataset with its one-line description (for `gan` help and docs). */
export function listDatasets(): Array<{ name: string; description: string }> {
  return datasetNames().map((name) => ({ name, description: factories.get(name)!.description }));
}

export function getDatasetFactory(name: string): DatasetFactory {
  const f = factories.get(name);
  if (!f) throw new ConfigError(`Unknown dataset '${name}'.`, undefined, unknownHint(name));
  return f;
}

function unknownHint(name: string): string {
  const dym = didYouMean(name, datasetNames());
  return `${dym ? `${dym} ` : ''}dataset.name must be one of ${datasetNames().map((n) => `'${n}'`).join(', ')}`;
}

/** The parameter type of `dataset.name`: any registered dataset (checked at bind time). */
export const datasetNameType: ParamType = {
  name: 'dataset name',
  // For the configurable manifest: the datasets registered when it is built.
  get spec() {
    return { kind: 'oneOf' as const, values: datasetNames() };
  },
  check(v) {
    if (v instanceof ConfigurableReference || v instanceof MacroReference || v === REQUIRED) return null;
    if (typeof v !== 'string') return `expected a dataset name (a string), got ${JSON.stringify(v)}`;
    return factories.has(v) ? null : `unknown dataset '${v}': ${unknownHint(v)}`;
  },
};
