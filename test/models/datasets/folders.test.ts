import * as fs from 'fs';
import * as jpeg from 'jpeg-js';
import * as path from 'path';
import { PNG } from 'pngjs';
import { config } from '@cgan/config-lang';
import { createDataset, readCifarBatches } from '@cgan/models';
import { isolatedEnv, tmpDir, withEnv } from './helpers';

afterEach(() => config.clear());

function writePng(file: string, w: number, h: number, rgb: [number, number, number]): void {
  const png = new PNG({ width: w, height: h });
  for (let p = 0; p < w * h; p++) png.data.set([...rgb, 255], p * 4);
  fs.writeFileSync(file, PNG.sync.write(png));
}

function writeJpeg(file: string, w: number, h: number, rgb: [number, number, number]): void {
  const data = Buffer.alloc(w * h * 4);
  for (let p = 0; p < w * h; p++) data.set([...rgb, 255], p * 4);
  fs.writeFileSync(file, jpeg.encode({ data, width: w, height: h }, 95).data);
}

const RED: [number, number, number] = [220, 20, 30];
const BLUE: [number, number, number] = [10, 40, 200];

function makeFolder(root: string): void {
  fs.mkdirSync(path.join(root, 'blue'), { recursive: true });
  fs.mkdirSync(path.join(root, 'red'), { recursive: true });
  for (let i = 0; i < 10; i++) writePng(path.join(root, 'red', `r${i}.png`), 20 + i, 12 + 2 * i, RED);
  for (let i = 0; i < 10; i++) writeJpeg(path.join(root, 'blue', `b${i}.jpg`), 40, 24, BLUE);
  fs.writeFileSync(path.join(root, 'blue', 'notes.txt'), 'not an image');
}

test('image_folder reads PNG and JPEG class folders, resized to dataset.resolution', async () => {
  const root = tmpDir('images');
  makeFolder(root);
  config.bind([], 'dataset', 'name', 'image_folder');
  config.bind([], 'dataset', 'data_dir', root);
  config.bind([], 'dataset', 'resolution', 8);
  config.bind([], 'dataset', 'test_fraction', 0.2);
  const ds = await createDataset({ seed: 0 });
  expect(ds.info).toMatchObject({ name: 'image_folder', imageShape: [8, 8, 3], numClasses: 2, classNames: ['blue', 'red'], numExamples: { train: 16, test: 4 } });
  // The held-out test split is stratified: 2 of each class.
  expect(Array.from(ds.data('test').labels).sort()).toEqual([0, 0, 1, 1]);
  const { images, labels } = ds.data('train');
  for (let i = 0; i < labels.length; i++) {
    const want = labels[i] === 1 ? RED : BLUE;
    for (let ch = 0; ch < 3; ch++) {
      const centre = images[i * 192 + (4 * 8 + 4) * 3 + ch];
      expect(Math.abs(centre - want[ch])).toBeLessThanOrEqual(labels[i] === 1 ? 0 : 6); // JPEG is lossy
    }
  }
  // The held-out images are the same in every run.
  const again = await createDataset({ seed: 99 });
  expect(Buffer.from(again.data('test').images).equals(Buffer.from(ds.data('test').images))).toBe(true);
});

test('image_folder uses train/ and test/ folders when present; grayscale with colors = 1', async () => {
  const root = tmpDir('split');
  makeFolder(path.join(root, 'train'));
  fs.mkdirSync(path.join(root, 'test', 'red'), { recursive: true });
  writePng(path.join(root, 'test', 'red', 'x.png'), 5, 5, RED);
  const ds = await createDataset({ overrides: { name: 'image_folder', data_dir: root, resolution: 4, colors: 1 } });
  expect(ds.info.numExamples).toEqual({ train: 20, test: 1 });
  expect(ds.info.imageShape).toEqual([4, 4, 1]);
  expect(ds.data('test').images[5]).toBe(Math.round(0.299 * 220 + 0.587 * 20 + 0.114 * 30));
});

test('image_folder errors: no folder, no images, a corrupt image (named)', async () => {
  await expect(withEnv(isolatedEnv(tmpDir('c')), () => createDataset({ overrides: { name: 'image_folder' } }))).rejects.toThrow(/image_folder needs a folder of images[\s\S]*dataset.data_dir/);
  await expect(createDataset({ overrides: { name: 'image_folder', data_dir: tmpDir('empty') } })).rejects.toThrow(/no PNG or JPEG images found under/);
  const root = tmpDir('corrupt');
  makeFolder(root);
  const bad = path.join(root, 'red', 'r3.png');
  fs.writeFileSync(bad, fs.readFileSync(bad).subarray(0, 30));
  await expect(createDataset({ overrides: { name: 'image_folder', data_dir: root } })).rejects.toThrow(`${bad} is not a readable PNG image`);
});

/** CIFAR-10 binary records: label byte, then R, G, B planes of 32x32. */
function cifarRecords(labels: number[]): Buffer {
  const buf = Buffer.alloc(labels.length * 3073);
  labels.forEach((l, i) => {
    const r = i * 3073;
    buf[r] = l;
    for (let p = 0; p < 1024; p++) {
      buf[r + 1 + p] = (p + i) % 256; // red
      buf[r + 1025 + p] = 100; // green
      buf[r + 2049 + p] = 255 - (p % 256); // blue
    }
  });
  return buf;
}

test('cifar10 decodes binary batches to NHWC', async () => {
  const root = tmpDir('cifar');
  const dir = path.join(root, 'cifar10', 'cifar-10-batches-bin');
  fs.mkdirSync(dir, { recursive: true });
  for (let b = 1; b <= 5; b++) fs.writeFileSync(path.join(dir, `data_batch_${b}.bin`), cifarRecords([b, 9 - b]));
  fs.writeFileSync(path.join(dir, 'test_batch.bin'), cifarRecords([0, 7, 3]));
  const ds = await withEnv(isolatedEnv(tmpDir('c')), () => createDataset({ overrides: { name: 'cifar10', data_dir: root, download: false } }));
  expect(ds.info).toMatchObject({ imageShape: [32, 32, 3], numClasses: 10, numExamples: { train: 10, test: 3 }, source: dir });
  expect(Array.from(ds.data('train').labels)).toEqual([1, 8, 2, 7, 3, 6, 4, 5, 5, 4]);
  const img = ds.data('test').images;
  // Example 1, pixel (row 2, col 5) = p 69: R = 70, G = 100, B = 255 - 69.
  const at = 1 * 3072 + (2 * 32 + 5) * 3;
  expect(Array.from(img.subarray(at, at + 3))).toEqual([70, 100, 186]);
});

test('cifar10: a truncated batch or a bad label is named', () => {
  const dir = tmpDir('cifar-bad');
  const f = path.join(dir, 'data_batch_1.bin');
  fs.writeFileSync(f, cifarRecords([1, 2]).subarray(0, 5000));
  expect(() => readCifarBatches([f])).toThrow(`${f} is not a CIFAR-10 binary batch: 5000 bytes is not a whole number of 3073-byte records`);
  fs.writeFileSync(f, cifarRecords([1, 12]));
  expect(() => readCifarBatches([f])).toThrow(`${f}: record 1 has label 12`);
});
