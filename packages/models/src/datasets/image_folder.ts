/**
 * `image_folder`: PNG/JPEG images in class sub-folders (`<root>/<class>/*.png`), decoded with
 * pngjs / jpeg-js, centre-cropped to a square and resized to `dataset.resolution` (default 32)
 * with `dataset.colors` channels (default 3). Classes are the sorted sub-folder names.
 * Splits: `<root>/train/<class>` and `<root>/test/<class>` when both exist; otherwise a fixed,
 * stratified `dataset.test_fraction` of each class is held out as the test split.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { Rng } from '../core/rng';
import { DatasetError } from './errors';
import { DATA_DIR_ENV } from './files';
import { DatasetArrays, SplitData } from './in_memory';
import { LoadOptions, registerDataset } from './registry';
import { adaptImages } from './resize';

const IMAGE_EXT = /\.(png|jpe?g)$/i;

interface Item {
  file: string;
  label: number;
}

/** Decodes a PNG or JPEG file to RGBA uint8. */
export function decodeImage(file: string): { data: Uint8Array; width: number; height: number } {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new DatasetError(`cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    if (/\.png$/i.test(file)) {
      const png = PNG.sync.read(buf);
      return { data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length), width: png.width, height: png.height };
    }
    const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
    return { data: img.data, width: img.width, height: img.height };
  } catch (e) {
    throw new DatasetError(`${file} is not a readable ${/\.png$/i.test(file) ? 'PNG' : 'JPEG'} image (${(e as Error).message})`, 'remove or replace the file');
  }
}

function subdirs(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort();
}

function imagesIn(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isFile() && IMAGE_EXT.test(d.name) && !d.name.startsWith('.')).map((d) => path.join(dir, d.name)).sort();
}

function listClasses(dir: string, classes: string[], strict: boolean): Item[] {
  const items: Item[] = [];
  for (const name of subdirs(dir)) {
    const label = classes.indexOf(name);
    if (label < 0) {
      if (strict) throw new DatasetError(`${path.join(dir, name)}: class '${name}' does not exist in the train folder`, `the train classes are: ${classes.join(', ')}`);
      continue;
    }
    for (const f of imagesIn(path.join(dir, name))) items.push({ file: f, label });
  }
  return items;
}

function loadItems(items: Item[], res: number, colors: number): SplitData {
  const images = new Uint8Array(items.length * res * res * colors);
  const labels = new Int32Array(items.length);
  items.forEach((it, i) => {
    const img = decodeImage(it.file);
    images.set(adaptImages(img.data, 1, [img.height, img.width, 4], res, colors), i * res * res * colors);
    labels[i] = it.label;
  });
  return { images, labels };
}

export async function loadImageFolder(opts: LoadOptions): Promise<DatasetArrays> {
  const root = opts.data_dir ?? (process.env[DATA_DIR_ENV] ? path.join(process.env[DATA_DIR_ENV]!, 'image_folder') : null);
  if (!root) {
    throw new DatasetError('image_folder needs a folder of images', "set dataset.data_dir = '/path/to/images' (or --data_dir), holding one sub-folder of PNG/JPEG files per class");
  }
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new DatasetError(`image_folder: ${root} is not a folder`, 'set dataset.data_dir to a folder holding one sub-folder of images per class');
  const res = opts.resolution ?? 32;
  const colors = opts.colors ?? 3;
  let classes: string[];
  let train: Item[];
  let test: Item[];
  const splitDirs = fs.existsSync(path.join(root, 'train')) && fs.existsSync(path.join(root, 'test'));
  if (splitDirs) {
    classes = subdirs(path.join(root, 'train'));
    train = listClasses(path.join(root, 'train'), classes, true);
    test = listClasses(path.join(root, 'test'), classes, true);
  } else {
    classes = subdirs(root);
    let all: Item[];
    if (classes.length) all = listClasses(root, classes, true);
    else {
      classes = [path.basename(root)];
      all = imagesIn(root).map((file) => ({ file, label: 0 }));
    }
    if (!(opts.test_fraction >= 0 && opts.test_fraction < 1)) throw new DatasetError(`dataset.test_fraction must be in [0, 1), got ${opts.test_fraction}`);
    // A fixed draw (not the run's seed): the same images are held out in every run.
    const rng = new Rng(0x1ae7);
    const held = new Set<number>();
    classes.forEach((_, c) => {
      const members = all.map((it, i) => (it.label === c ? i : -1)).filter((i) => i >= 0);
      const k = Math.floor(opts.test_fraction * members.length);
      const perm = rng.fork(`test/${c}`).permutation(members.length);
      for (let j = 0; j < k; j++) held.add(members[perm[j]]);
    });
    train = all.filter((_, i) => !held.has(i));
    test = all.filter((_, i) => held.has(i));
  }
  if (!train.length) {
    throw new DatasetError(`image_folder: no PNG or JPEG images found under ${root}`, 'put images in one sub-folder per class, e.g. <root>/cats/001.png, <root>/dogs/001.jpg');
  }
  opts.log?.(`image_folder: ${train.length} train and ${test.length} test images in ${classes.length} classes from ${root}`);
  const trainData = loadItems(train, res, colors);
  const testData = loadItems(test, res, colors);
  return {
    info: {
      name: 'image_folder',
      imageShape: [res, res, colors],
      numClasses: classes.length,
      numExamples: { train: train.length, test: test.length },
      classNames: classes,
      source: root,
    },
    splits: { train: trainData, test: testData },
  };
}

registerDataset({
  name: 'image_folder',
  description: 'PNG/JPEG images, one sub-folder per class, resized to dataset.resolution (default 32)',
  load: loadImageFolder,
});
