import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { config } from '@cgan/config-lang';
import { createDataset, DatasetError, probeDataset, readIdxFile, readIdxHeader } from '@cgan/models';
import { idxBytes, isolatedEnv, tmpDir, withEnv, writeMnistFixture } from './helpers';

afterEach(() => config.clear());

async function loadMnist(dataDir: string) {
  return withEnv(isolatedEnv(tmpDir('cache')), () => createDataset({ seed: 0, overrides: { name: 'mnist', data_dir: dataDir, download: false } }));
}

async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

test('a small valid IDX folder loads through dataset.data_dir', async () => {
  const dir = tmpDir('mnist');
  writeMnistFixture(dir, 6, 3);
  const ds = await loadMnist(dir);
  expect(ds.info.numExamples).toEqual({ train: 6, test: 3 });
  expect(ds.info.source).toBe(dir);
  expect(Array.from(ds.data('train').labels)).toEqual([0, 1, 2, 3, 4, 5]);
  expect(ds.data('train').images[5 * 784 + 400]).toBe(50);
});

test('uncompressed IDX files are found too (x.gz or x)', async () => {
  const dir = tmpDir('mnist-raw');
  writeMnistFixture(dir, 4, 2);
  for (const f of fs.readdirSync(dir)) {
    fs.writeFileSync(path.join(dir, f.replace(/\.gz$/, '')), zlib.gunzipSync(fs.readFileSync(path.join(dir, f))));
    fs.rmSync(path.join(dir, f));
  }
  expect((await loadMnist(dir)).info.numExamples).toEqual({ train: 4, test: 2 });
});

test('a truncated gzip file gives an error naming the file', async () => {
  const dir = tmpDir('mnist-gz');
  writeMnistFixture(dir);
  const f = path.join(dir, 'train-images-idx3-ubyte.gz');
  const buf = fs.readFileSync(f);
  fs.writeFileSync(f, buf.subarray(0, buf.length - 20));
  const e = await errorOf(loadMnist(dir));
  expect(e).toBeInstanceOf(DatasetError);
  expect(e.message).toContain(f);
  expect(e.message).toMatch(/not a valid gzip file or is truncated/);
  expect(e.message).toMatch(/hint: .*delete it/);
  expect(e.message).not.toMatch(/dataset-fashion-mnist/);
});

test('a wrong magic number, a truncated body and mismatched counts are named', async () => {
  const dir = tmpDir('mnist-bad');
  writeMnistFixture(dir, 6, 3);
  const labels = path.join(dir, 't10k-labels-idx1-ubyte.gz');

  fs.writeFileSync(labels, zlib.gzipSync(idxBytes([3, 28, 28], new Uint8Array(3 * 784))));
  let e = await errorOf(loadMnist(dir));
  expect(e.message).toContain(labels);
  expect(e.message).toMatch(/magic number 0x00000803, expected 0x00000801/);

  const body = idxBytes([60000], new Uint8Array(100));
  fs.writeFileSync(labels, zlib.gzipSync(body));
  e = await errorOf(loadMnist(dir));
  expect(e.message).toContain(`${labels} is truncated: its header declares 60000 (60008 bytes) but it holds 108 bytes`);

  fs.writeFileSync(labels, zlib.gzipSync(idxBytes([2], [0, 1])));
  e = await errorOf(loadMnist(dir));
  expect(e.message).toMatch(/has 2 labels but .*t10k-images-idx3-ubyte.gz has 3 images/);

  fs.writeFileSync(labels, zlib.gzipSync(idxBytes([3], [0, 1, 12])));
  e = await errorOf(loadMnist(dir));
  expect(e.message).toMatch(/label 12 of example 2 is not a class 0..9/);
});

async function probeMnist(dataDir: string, extra: Record<string, unknown> = {}) {
  return withEnv(isolatedEnv(tmpDir('cache')), () => probeDataset({ seed: 0, overrides: { name: 'mnist', data_dir: dataDir, download: false, ...extra } }));
}

test('probeDataset describes the dataset as a load does, from the files\' headers', async () => {
  const dir = tmpDir('mnist-probe');
  writeMnistFixture(dir, 6, 3);
  const { info } = await loadMnist(dir);
  expect(await probeMnist(dir)).toEqual(info);
  expect((await probeMnist(dir, { resolution: 14, colors: 3 }))!.imageShape).toEqual([14, 14, 3]);
  // Datasets without a probe say so (the caller loads them instead).
  expect(await withEnv(isolatedEnv(tmpDir('cache')), () => probeDataset({ overrides: { name: 'shapes' } }))).toBeUndefined();
});

test('the header probe catches truncated, mismatched and damaged files without reading their data', async () => {
  const dir = tmpDir('mnist-probe-bad');
  writeMnistFixture(dir, 6, 3);
  const images = path.join(dir, 'train-images-idx3-ubyte.gz');
  const labels = path.join(dir, 't10k-labels-idx1-ubyte.gz');
  const good = fs.readFileSync(images);
  // Cut short: the gzip trailer's size no longer matches the header.
  fs.writeFileSync(images, good.subarray(0, good.length - 20));
  let e = await errorOf(probeMnist(dir));
  expect(e).toBeInstanceOf(DatasetError);
  expect(e.message).toContain(`${images} is truncated or damaged: its header declares 6x28x28`);
  fs.writeFileSync(images, good);

  fs.writeFileSync(labels, zlib.gzipSync(idxBytes([60000], new Uint8Array(100))));
  e = await errorOf(probeMnist(dir));
  expect(e.message).toContain(`${labels} is truncated or damaged: its header declares 60000 (60008 bytes) but it holds 108 bytes`);
  fs.writeFileSync(labels, zlib.gzipSync(idxBytes([3, 28, 28], new Uint8Array(3 * 784))));
  expect((await errorOf(probeMnist(dir))).message).toMatch(/magic number 0x00000803, expected 0x00000801/);
  fs.writeFileSync(labels, zlib.gzipSync(idxBytes([2], [0, 1])));
  expect((await errorOf(probeMnist(dir))).message).toMatch(/has 2 labels but .*t10k-images-idx3-ubyte.gz has 3 images/);
  fs.writeFileSync(labels, Buffer.from([0x1f, 0x8b, 1, 2, 3, 4]));
  expect((await errorOf(probeMnist(dir))).message).toMatch(/is not a valid gzip file/);

  // Uncompressed files: the header against the file's length.
  const raw = path.join(tmpDir('raw'), 'x.idx');
  fs.writeFileSync(raw, idxBytes([4], [1, 2, 3, 4]));
  expect(readIdxHeader(raw, 1)).toEqual([4]);
  fs.writeFileSync(raw, idxBytes([5], [1, 2, 3, 4]));
  expect(() => readIdxHeader(raw, 1)).toThrow(/declares 5 \(13 bytes\) but it holds 12 bytes/);
});

test('readIdxFile rejects a file too short for its header', () => {
  const f = path.join(tmpDir('short'), 'x.idx');
  fs.writeFileSync(f, Buffer.from([0, 0, 8]));
  expect(() => readIdxFile(f, 1)).toThrow(/x.idx is truncated: 3 bytes, too short for an IDX header/);
});

test('dataset.resolution and dataset.colors resize and recolour a dataset', async () => {
  const dir = tmpDir('mnist-resize');
  writeMnistFixture(dir, 4, 2);
  const ds = await withEnv(isolatedEnv(tmpDir('cache')), () =>
    createDataset({ overrides: { name: 'mnist', data_dir: dir, download: false, resolution: 14, colors: 3 } }),
  );
  expect(ds.info.imageShape).toEqual([14, 14, 3]);
  const img = ds.data('train').images;
  expect(img.length).toBe(4 * 14 * 14 * 3);
  // Uniform images keep their value (example 3 is all 30) in every channel.
  expect(new Set(img.subarray(3 * 588, 4 * 588))).toEqual(new Set([30]));
});

test('resizing is antialiased: a checkerboard shrunk 3x turns grey (point sampling would not)', async () => {
  const { resizeImage } = await import('@cgan/models');
  const src = new Uint8Array(12 * 12).map((_, i) => ((Math.floor(i / 12) + (i % 12)) % 2 ? 255 : 0));
  const out = resizeImage(src, 12, 12, 1, 4, 4);
  for (const v of out) expect(Math.abs(v - 128)).toBeLessThanOrEqual(20);
});
