import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { Batch, BatchOptions, InMemoryDataset, Split } from '@cgan/models';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** n 1x1x1 images whose pixel is the example index, so a batch tells which examples it holds. */
function indexDataset(n: number, nTest = 5, prefetch = 2): InMemoryDataset {
  const split = (m: number) => ({ images: Uint8Array.from({ length: m }, (_, i) => i), labels: Int32Array.from({ length: m }, (_, i) => i % 3) });
  return new InMemoryDataset({ name: 'index', imageShape: [1, 1, 1], numClasses: 3, numExamples: { train: n, test: nTest } }, { train: split(n), test: split(nTest) }, prefetch);
}

async function take(ds: InMemoryDataset, split: Split, opts: BatchOptions, count = Infinity): Promise<number[][]> {
  const out: number[][] = [];
  for await (const b of ds.batches(split, opts)) {
    out.push(ids(b));
    tf.dispose([b.images, b.labels, b.labelled]);
    if (out.length >= count) break;
  }
  return out;
}

function ids(b: Batch): number[] {
  return Array.from(b.images.dataSync(), (v) => Math.round(v * 255));
}

test('a seeded shuffle is the same in every run, differs by seed and by epoch, and covers each epoch once', async () => {
  const ds = indexDataset(40);
  const opts = { batchSize: 8, seed: 11, repeat: true };
  const a = await take(ds, 'train', opts, 15);
  const b = await take(ds, 'train', opts, 15);
  const c = await take(ds, 'train', { ...opts, seed: 12 }, 15);
  expect(a).toEqual(b);
  expect(a).not.toEqual(c);
  const epoch0 = a.slice(0, 5).flat();
  const epoch1 = a.slice(5, 10).flat();
  expect([...epoch0].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  expect([...epoch1].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  expect(epoch0).not.toEqual(epoch1);
  expect(epoch0).not.toEqual(Array.from({ length: 40 }, (_, i) => i));
});

test('skipBatches resumes exactly where a run left off, across epoch boundaries', async () => {
  const ds = indexDataset(30);
  const opts = { batchSize: 7, seed: 3, repeat: true };
  const full = await take(ds, 'train', opts, 14);
  for (const skip of [1, 4, 5, 9]) {
    expect(await take(ds, 'train', { ...opts, skipBatches: skip }, 14 - skip)).toEqual(full.slice(skip));
  }
  // 30 examples, batch 7, repeat: the remainder is dropped, 4 batches per epoch.
  expect(ds.batchesPerEpoch('train', opts)).toBe(4);
});

test('one unshuffled pass keeps the partial last batch; evaluation does not repeat', async () => {
  const ds = indexDataset(10, 7);
  const test = await take(ds, 'test', { batchSize: 3 });
  expect(test).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  expect(await take(ds, 'test', { batchSize: 3, dropRemainder: true })).toEqual([[0, 1, 2], [3, 4, 5]]);
  expect(await take(ds, 'test', { batchSize: 3, skipBatches: 2 })).toEqual([[6]]);
  expect(await take(ds, 'test', { batchSize: 3, skipBatches: 5 })).toEqual([]);
});

test('batches carry int32 labels and the labelled mask; tensors are the caller\'s to dispose', async () => {
  const base = indexDataset(6);
  const labelled = Uint8Array.from([1, 0, 1, 0, 0, 1]);
  const ds = new InMemoryDataset(base.info, { train: { ...base.data('train'), labelled }, test: base.data('test') });
  const before = tf.memory().numTensors;
  const it = ds.batches('train', { batchSize: 6 });
  const { value: b } = await it.next();
  expect(b.images.shape).toEqual([6, 1, 1, 1]);
  expect(Array.from(b.labels.dataSync())).toEqual([0, 1, 2, 0, 1, 2]);
  expect(b.labels.dtype).toBe('int32');
  expect(Array.from(b.labelled.dataSync())).toEqual([1, 0, 1, 0, 0, 1]);
  expect(tf.memory().numTensors).toBe(before + 3);
  tf.dispose([b.images, b.labels, b.labelled]);
  expect((await it.next()).done).toBe(true);
  expect(tf.memory().numTensors).toBe(before);
});

test('prefetching prepares the next batch while the consumer works on the current one', async () => {
  const ds = indexDataset(64, 5, 2);
  const spy = jest.spyOn(ds, 'hostBatches');
  const it = ds.batches('train', { batchSize: 4, seed: 1, repeat: true });
  const prepared: number[] = [];
  const gen = spy.mock.results;
  const first = await it.next();
  tf.dispose(Object.values(first.value));
  // Wait for a macrotask, as a training step awaiting the backend would.
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  const host = gen[0].value as Generator;
  // Two batches beyond the first are already prepared: pulling the generator now gives batch 4.
  prepared.push(...(host.next().value as { images: Float32Array }).images.map((v) => Math.round(v * 255)));
  const expected = await take(ds, 'train', { batchSize: 4, seed: 1, repeat: true }, 4);
  expect(prepared).toEqual(expected[3]);
  await it.return!(undefined);
});

test('errors: a bad batch size, and a split smaller than one batch when repeating', async () => {
  const ds = indexDataset(5);
  await expect(take(ds, 'train', { batchSize: 0 })).rejects.toThrow(/batch size must be a positive integer, got 0/);
  await expect(take(ds, 'train', { batchSize: 8, repeat: true })).rejects.toThrow(/has 5 examples, fewer than one batch of 8/);
});
