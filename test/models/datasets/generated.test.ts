import { config } from '@cgan/config-lang';
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
import { createDataset, datasetNames, listDatasets, loadShapes, LoadOptions, SHAPE_CLASSES } from '@cgan/models';

afterEach(() => config.clear());

const base: LoadOptions = {
  name: 'shapes', data_dir: null, resolution: null, colors: null, num_classes: null,
  num_train_examples: 200, num_test_examples: 40, test_fraction: 0.1, download: false, seed: 5,
};

test('every dataset is registered', () => {
  expect(datasetNames()).toEqual(expect.arrayContaining(['cifar10', 'fake', 'fashion-mnist', 'image_folder', 'mnist', 'shapes']));
  expect(listDatasets().find((d) => d.name === 'shapes')?.description).toMatch(/no download/);
});

test('shapes is generated from the seed: same seed, same bytes; other seed, other images', async () => {
  const a = await loadShapes(base);
  const b = await loadShapes(base);
  const c = await loadShapes({ ...base, seed: 6 });
  expect(a.info.imageShape).toEqual([32, 32, 3]);
  expect(a.info.numClasses).toBe(4);
  expect(a.info.classNames).toEqual(SHAPE_CLASSES.slice(0, 4));
  expect(same(a.splits.train.images, b.splits.train.images)).toBe(true);
  expect(same(a.splits.train.images, c.splits.train.images)).toBe(false);
  // Balanced classes.
  const counts = [0, 0, 0, 0];
  for (const l of a.splits.train.labels) counts[l]++;
  expect(counts).toEqual([50, 50, 50, 50]);
});

test('shapes images hold one coloured shape on black whose area depends on its class', async () => {
  const d = await loadShapes({ ...base, num_classes: 6, num_train_examples: 600 });
  const px = 32 * 32 * 3;
  const fill = new Array(6).fill(0);
  const n = new Array(6).fill(0);
  for (let i = 0; i < 600; i++) {
    const img = d.splits.train.images.subarray(i * px, (i + 1) * px);
    let lit = 0;
    for (let p = 0; p < 1024; p++) if (img[3 * p] + img[3 * p + 1] + img[3 * p + 2] > 30) lit++;
    // A shape covers part of the image, never none or all of it; corners are background.
    expect(lit).toBeGreaterThan(15);
    expect(lit).toBeLessThan(700);
    expect(img[0] + img[1] + img[2]).toBe(0);
    const label = d.splits.train.labels[i];
    fill[label] += lit / (1024 * ((0.2 + 0.08) * 32) ** 2 / 1024);
    n[label]++;
  }
  const mean = fill.map((f, k) => f / n[k]);
  // A square (side 1.6 r) covers more than a triangle (area 1.3 r^2) or a cross.
  expect(mean[1]).toBeGreaterThan(mean[2] * 1.5);
  expect(mean[0]).toBeGreaterThan(mean[3]);
});

test('shapes resolution, colours and class count are configurable', async () => {
  config.bind([], 'dataset', 'name', 'shapes');
  config.bind([], 'dataset', 'resolution', 16);
  config.bind([], 'dataset', 'colors', 1);
  config.bind([], 'dataset', 'num_classes', 3);
  config.bind([], 'dataset', 'num_train_examples', 30);
  config.bind([], 'dataset', 'num_test_examples', 6);
  const ds = await createDataset({ seed: 1 });
  expect(ds.info.imageShape).toEqual([16, 16, 1]);
  expect(ds.info.numClasses).toBe(3);
  expect(ds.data('train').images.length).toBe(30 * 256);
  await expect(createDataset({ seed: 1, overrides: { num_classes: 9 } })).rejects.toThrow(/num_classes must be 1..6, got 9/);
});

test('fake gives seeded random images and labels', async () => {
  const a = await createDataset({ seed: 3, overrides: { name: 'fake', num_train_examples: 64, num_test_examples: 8 } });
  const b = await createDataset({ seed: 3, overrides: { name: 'fake', num_train_examples: 64, num_test_examples: 8 } });
  expect(a.info).toMatchObject({ name: 'fake', imageShape: [32, 32, 3], numClasses: 10, numExamples: { train: 64, test: 8 } });
  expect(same(a.data('train').images, b.data('train').images)).toBe(true);
  const img = a.data('train').images;
  const mean = img.reduce((s, v) => s + v, 0) / img.length;
  expect(mean).toBeGreaterThan(120);
  expect(mean).toBeLessThan(135);
});

test('dataset.seed wins over the run seed; without either, 547', async () => {
  const o = { name: 'fake', num_train_examples: 4, num_test_examples: 1 };
  const d547 = await createDataset({ overrides: o });
  const explicit = await createDataset({ seed: 9, overrides: { ...o, seed: 547 } });
  const run9 = await createDataset({ seed: 9, overrides: o });
  expect(same(explicit.data('train').images, d547.data('train').images)).toBe(true);
  expect(same(run9.data('train').images, d547.data('train').images)).toBe(false);
});
