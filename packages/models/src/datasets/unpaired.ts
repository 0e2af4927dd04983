/**
 * Unpaired two-domain data for image-to-image translation (CycleGAN): `dataset.name = "unpaired"`.
 * Each domain is any registered dataset, configured in the Gin scopes `a/` and `b/`, optionally
 * restricted to some classes:
 *
 *   dataset.name = "unpaired"
 *   a/dataset.name = "fashion-mnist"
 *   a/domain.classes = ["Sneaker"]          # class names or indices
 *   b/dataset.name = "fashion-mnist"
 *   b/domain.classes = ["Ankle boot"]
 *
 * or a folder in the reference layout (DIR/trainA, trainB, testA, testB of PNG/JPEG files):
 *
 *   dataset.name = "unpaired"
 *   unpaired.folder = "/data/horse2zebra"
 *
 * Training batches carry a domain-A batch (`images`) and a domain-B batch (`imagesB`), each
 * shuffled with its own seed, so that they are unpaired. The test splits are read in order: on
 * `shape_scenes` (the same scenes in every class) test image i of A and of B show the same scene,
 * the known answer of the shapes task (`domains.pairedTest`).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { config, configurable, t } from '@cgan/config-lang';
import { Rng } from '../core/rng';
import { createDataset, CreateDatasetOptions, datasetConfig } from './dataset';
import { DatasetError } from './errors';
import { decodeImage } from './image_folder';
import { InMemoryDataset, SplitData } from './in_memory';
import { registerDataset } from './registry';
import { adaptImages } from './resize';
import { Batch, BatchOptions, DatasetInfo, GanDataset, Split } from './types';

export type Domain = 'a' | 'b';
export const DOMAINS: Domain[] = ['a', 'b'];

/** `a/domain.classes`, `b/domain.classes`: which classes of the domain's dataset to keep. */
export const domain_config = configurable(
  'domain',
  { module: 'unpaired', params: { classes: { default: null, type: t.any, doc: 'class names or indices to keep; None: all' } } },
  (kw: { classes: Array<string | number> | null }) => kw,
);

/** `unpaired.folder`: a CycleGAN dataset folder (trainA, trainB, testA, testB). */
export const unpaired_config = configurable(
  'unpaired',
  { module: 'unpaired', params: { folder: { default: null, type: t.optional(t.string), doc: 'DIR with trainA, trainB, testA, testB; None: a/ and b/ datasets' } } },
  (kw: { folder: string | null }) => kw,
);

registerDataset({
  name: 'unpaired',
  description: 'two unpaired domains for CycleGAN: a/dataset.* and b/dataset.* (+ a/domain.classes), or unpaired.folder = DIR with trainA, trainB, testA, testB',
  load: async () => {
    throw new DatasetError("dataset.name = 'unpaired' holds two domains; load it with createUnpairedDataset (the runner does)");
  },
});

/** Keeps the examples of some classes (names or indices) of both splits. */
export function filterClasses(ds: InMemoryDataset, classes: Array<string | number>, where: string): InMemoryDataset {
  const names = ds.info.classNames ?? [];
  const keep = new Set<number>();
  for (const c of classes) {
    const idx = typeof c === 'number' ? c : names.findIndex((n) => n.toLowerCase() === String(c).toLowerCase());
    if (!(Number.isInteger(idx) && idx >= 0 && idx < ds.info.numClasses)) {
      throw new DatasetError(`${where}/domain.classes: '${c}' is not a class of ${ds.info.name}`, `its classes are ${names.length ? names.map((n, i) => `${i} '${n}'`).join(', ') : `0..${ds.info.numClasses - 1}`}`);
    }
    keep.add(idx);
  }
  const [h, w, c] = ds.info.imageShape;
  const px = h * w * c;
  const splits = {} as Record<Split, SplitData>;
  for (const s of ['train', 'test'] as Split[]) {
    const d = ds.data(s);
    const idx = [...d.labels.keys()].filter((i) => keep.has(d.labels[i]));
    const images = new Uint8Array(idx.length * px);
    idx.forEach((i, j) => images.set(d.images.subarray(i * px, (i + 1) * px), j * px));
    splits[s] = { images, labels: Int32Array.from(idx.map((i) => d.labels[i])), labelled: d.labelled ? Uint8Array.from(idx.map((i) => d.labelled![i])) : undefined };
  }
  // A name of its own (statistics caches are keyed by it); the feature extractor is the base dataset's.
  const picked = [...keep].sort((x, y) => x - y).map((i) => names[i] ?? String(i));
  const info: DatasetInfo = { ...ds.info, name: `${ds.info.name}[${picked.join(',')}]`, numExamples: { train: splits.train.labels.length, test: splits.test.labels.length } };
  return new InMemoryDataset(info, splits, ds.prefetch);
}

function folderSplit(dir: string, res: number, colors: number): SplitData {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new DatasetError(`unpaired.folder: ${dir} is missing`, 'the folder needs trainA, trainB, testA and testB sub-folders of PNG/JPEG images (the CycleGAN layout)');
  }
  const files = fs.readdirSync(dir).filter((f) => /\.(png|jpe?g)$/i.test(f) && !f.startsWith('.')).sort();
  const images = new Uint8Array(files.length * res * res * colors);
  files.forEach((f, i) => {
    const img = decodeImage(path.join(dir, f));
    images.set(adaptImages(img.data, 1, [img.height, img.width, 4], res, colors), i * res * res * colors);
  });
  return { images, labels: new Int32Array(files.length) };
}

/** One domain of a CycleGAN folder: DIR/train<X>, DIR/test<X>. */
export function loadFolderDomain(root: string, d: Domain, res: number, colors: number): InMemoryDataset {
  const X = d.toUpperCase();
  const train = folderSplit(path.join(root, `train${X}`), res, colors);
  const test = folderSplit(path.join(root, `test${X}`), res, colors);
  const info: DatasetInfo = {
    name: `image_folder[${X}]`,
    imageShape: [res, res, colors],
    numClasses: 1,
    numExamples: { train: train.labels.length, test: test.labels.length },
    classNames: [`domain ${X}`],
    source: root,
  };
  return new InMemoryDataset(info, { train, test });
}

/** Both domains, batched together; `domain(d)` is one of them as a plain dataset. */
export class UnpairedDataset implements GanDataset {
  readonly info: DatasetInfo;

  constructor(readonly a: GanDataset, readonly b: GanDataset, pairedTest: boolean) {
    this.info = {
      name: 'unpaired',
      imageShape: a.info.imageShape,
      numClasses: 0,
      numExamples: { train: Math.max(a.info.numExamples.train, b.info.numExamples.train), test: Math.min(a.info.numExamples.test, b.info.numExamples.test) },
      domains: { a: a.info, b: b.info, pairedTest },
    };
  }

  domain(d: Domain): GanDataset {
    return d === 'a' ? this.a : this.b;
  }

  /** A's batches as `images`, B's as `imagesB` (B shuffled with its own seed); stops when either stops. */
  async *batches(split: Split, opts: BatchOptions): AsyncGenerator<Batch> {
    const seedB = opts.seed === undefined ? undefined : new Rng(opts.seed >>> 0).fork('domain_b').seed;
    const ia = this.a.batches(split, opts);
    const ib = this.b.batches(split, { ...opts, seed: seedB });
    try {
      for (;;) {
        const [ra, rb] = await Promise.all([ia.next(), ib.next()]);
        if (ra.done || rb.done) {
          for (const r of [ra, rb]) if (!r.done) tf.dispose([r.value.images, r.value.labels, r.value.labelled]);
          return;
        }
        tf.dispose([rb.value.labels, rb.value.labelled]);
        // Batches of different sizes (the last one of an epoch without repeat): cut to the smaller.
        const n = Math.min(ra.value.images.shape[0], rb.value.images.shape[0]);
        if (n === ra.value.images.shape[0] && n === rb.value.images.shape[0]) {
          yield { ...ra.value, imagesB: rb.value.images };
        } else {
          const cut = <T extends tf.Tensor>(x: T) => tf.slice(x, 0, n) as T;
          const out: Batch = { images: cut(ra.value.images), labels: cut(ra.value.labels), labelled: cut(ra.value.labelled), imagesB: cut(rb.value.images) };
          tf.dispose([ra.value.images, ra.value.labels, ra.value.labelled, rb.value.images]);
          yield out;
        }
      }
    } finally {
      await ia.return?.(undefined);
      await ib.return?.(undefined);
    }
  }
}

/** The registered dataset a (class-filtered) domain comes from: 'fashion-mnist[Sneaker]' -> 'fashion-mnist'. */
export function baseDatasetName(name: string): string {
  return name.replace(/\[[^\]]*\]$/, '');
}

export function isUnpaired(ds: GanDataset): ds is UnpairedDataset {
  return ds instanceof UnpairedDataset || (!!ds.info.domains && typeof (ds as unknown as { domain?: unknown }).domain === 'function');
}

/** Loads both domains (see the file comment); clear errors for an empty domain or mismatched images. */
export async function createUnpairedDataset(opts: CreateDatasetOptions = {}): Promise<UnpairedDataset> {
  const folder = unpaired_config({} as never).folder;
  const domains: Partial<Record<Domain, InMemoryDataset>> = {};
  if (folder) {
    const s = datasetConfig({});
    for (const d of DOMAINS) domains[d] = loadFolderDomain(folder, d, s.resolution ?? 32, s.colors ?? 3);
  } else {
    for (const d of DOMAINS) {
      const name = config.query('dataset', 'name', [d]);
      if (name === undefined || name === null || name === 'unpaired') {
        throw new DatasetError(`Domain ${d.toUpperCase()} is empty: dataset.name = 'unpaired' needs ${d}/dataset.name (and the other domain's)`, `bind e.g. ${d}/dataset.name = "fashion-mnist" and ${d}/domain.classes = ["Sneaker"], or unpaired.folder = DIR with trainA, trainB, testA, testB`);
      }
      // createDataset reads `dataset.*` synchronously, before its first await: in the scope.
      let ds = await config.withScope(d, () => createDataset({ ...opts, overrides: { ...(opts.overrides ?? {}), name: undefined } }));
      const classes = config.withScope(d, () => domain_config({} as never).classes);
      if (classes !== null && classes !== undefined) ds = filterClasses(ds, Array.isArray(classes) ? classes : [classes as string | number], d);
      domains[d] = ds;
    }
  }
  const a = domains.a!;
  const b = domains.b!;
  for (const d of DOMAINS) {
    const ds = domains[d]!;
    for (const s of ['train', 'test'] as Split[]) {
      if (ds.info.numExamples[s] === 0) {
        throw new DatasetError(`Domain ${d.toUpperCase()} (${ds.info.name}) has no ${s} images`, folder ? `put images in ${folder}/${s}${d.toUpperCase()}` : `check ${d}/domain.classes and ${d}/dataset.*`);
      }
    }
  }
  const [ha, wa, ca] = a.info.imageShape;
  const [hb, wb, cb] = b.info.imageShape;
  if (ca !== cb) {
    throw new DatasetError(`The domains have different channels: A (${a.info.name}) ${ca}, B (${b.info.name}) ${cb}`, `set a/dataset.colors = ${Math.max(ca, cb)} and b/dataset.colors = ${Math.max(ca, cb)} (or dataset.colors for both)`);
  }
  if (ha !== hb || wa !== wb) {
    throw new DatasetError(`The domains have different image sizes: A ${ha}x${wa}, B ${hb}x${wb}`, 'set dataset.resolution (both domains) to one size');
  }
  const pairedTest = baseDatasetName(a.info.name) === 'shape_scenes' && baseDatasetName(b.info.name) === 'shape_scenes' && a.info.numExamples.test === b.info.numExamples.test;
  opts.log?.(`unpaired: A = ${describe(a.info)}, B = ${describe(b.info)}${pairedTest ? ' (test scenes paired: translation accuracy is measured)' : ''}`);
  return new UnpairedDataset(a, b, pairedTest);
}

function describe(i: DatasetInfo): string {
  return `${i.name} ${i.imageShape.join('x')} (${i.numExamples.train} train / ${i.numExamples.test} test)`;
}
