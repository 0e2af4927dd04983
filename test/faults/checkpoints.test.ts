/**
 * Family: checkpoint integrity. Edits to a manifest (offset, shape, dtype, step, the hash
 * itself), damaged folders and keep_checkpoint_max; each load failure falls back.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { CheckpointStore, checkpointName, disposeCheckpoint } from '../../packages/runner/src/run/checkpoint';
import { BUILT, expectNoStack, maybe, run, tmp, TINY, write } from './helpers';

jest.setTimeout(120000);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function saveSteps(root: string, steps: number[], keep = 0): Promise<CheckpointStore> {
  const store = new CheckpointStore(root);
  for (const step of steps) {
    const variables = new Map<string, tf.Tensor>([
      ['a', tf.tensor([step, step + 1, step + 2, step + 3], [2, 2])],
      ['b', tf.tensor([step * 10, 7], [2], 'int32')],
    ]);
    await store.save({ step, groups: { variables }, state: { batches_consumed: step } }, keep);
    tf.dispose([...variables.values()]);
  }
  return store;
}

const manifestOf = (store: CheckpointStore, step: number) => path.join(store.root, checkpointName(step), 'manifest.json');
function edit(file: string, f: (m: any) => void): void {
  const m = JSON.parse(fs.readFileSync(file, 'utf8'));
  f(m);
  fs.writeFileSync(file, JSON.stringify(m));
}

const EDITS: Array<[string, (m: any) => void, RegExp]> = [
  ['an offset', (m) => (m.groups.variables[1].offset = 4), /modified after it was written/],
  ['a shape', (m) => (m.groups.variables[0].shape = [4, 1]), /modified after it was written/],
  ['a dtype', (m) => (m.groups.variables[0].dtype = 'int32'), /modified after it was written/],
  ['the step', (m) => (m.step = 30), /modified after it was written/],
  ['the manifest hash', (m) => (m.manifest_sha256 = '0'.repeat(64)), /modified after it was written/],
  ['the manifest hash removed', (m) => delete m.manifest_sha256, /modified after it was written/],
];

test.each(EDITS)('editing %s in the newest manifest: named, and the previous checkpoint loads', async (_, f, why) => {
  const store = await saveSteps(tmp('ck'), [10, 20]);
  edit(manifestOf(store, 20), f);
  const fresh = new CheckpointStore(path.dirname(store.root));
  const c = fresh.loadLatest()!;
  expect(c.step).toBe(10);
  expect(c.skipped[0].reason).toMatch(why);
  expect(Array.from(c.groups.variables.get('a')!.dataSync())).toEqual([10, 11, 12, 13]);
  disposeCheckpoint(c);
});

/** Rewrites the manifest with a correct hash: the structural checks must still catch the edit. */
function editRehashed(file: string, f: (m: any) => void): void {
  edit(file, (m) => {
    f(m);
    delete m.manifest_sha256;
    m.manifest_sha256 = createHash('sha256').update(JSON.stringify(m)).digest('hex');
  });
}

test.each([
  ['an offset', (m: any) => (m.groups.variables[1].offset = 4), /starts at byte 4, expected 16/],
  ['a shape', (m: any) => (m.groups.variables[0].shape = [3, 2]), /has length 16, its shape \[3,2\]/],
  ['a dtype', (m: any) => (m.groups.variables[0].dtype = 'float64'), /unknown dtype "float64"/],
  ['the step (folder ckpt-20)', (m: any) => (m.step = 30), /says step 30, its folder ckpt-000000020 says 20/],
])('editing %s consistently (hash recomputed): still caught, with fallback', async (_, f, why) => {
  const store = await saveSteps(tmp('ck2'), [10, 20]);
  editRehashed(manifestOf(store, 20), f);
  const c = new CheckpointStore(path.dirname(store.root)).loadLatest()!;
  expect(c.step).toBe(10);
  expect(c.skipped[0].reason).toMatch(why);
  disposeCheckpoint(c);
});

test('a format-1 checkpoint (no manifest hash) still loads', async () => {
  const store = await saveSteps(tmp('ck3'), [5]);
  edit(manifestOf(store, 5), (m) => {
    m.format = 'cgan-checkpoint/1';
    delete m.manifest_sha256;
  });
  const c = new CheckpointStore(path.dirname(store.root)).loadLatest()!;
  expect(c.step).toBe(5);
  disposeCheckpoint(c);
});

test('an unloadable ckpt-000000999 does not count toward keep_checkpoint_max', async () => {
  const root = tmp('keep');
  const store = await saveSteps(root, [1]);
  const bad = path.join(store.root, checkpointName(999));
  fs.mkdirSync(bad);
  fs.writeFileSync(path.join(bad, 'manifest.json'), '{ torn');
  await saveSteps(root, [2, 3], 1);
  const left = fs.readdirSync(store.root).sort();
  expect(left).toEqual([checkpointName(3), checkpointName(999)]);
  const c = new CheckpointStore(root).loadLatest()!;
  expect(c.step).toBe(3);
  expect(c.skipped.map((s) => path.basename(s.dir))).toEqual([checkpointName(999)]);
  disposeCheckpoint(c);
});

maybe(BUILT)('gan train resumes from the previous checkpoint when the newest manifest was edited (metrics stay continuous)', async () => {
  const dir = tmp('resume');
  const gin = write(dir, 't.gin', TINY);
  const model = path.join(dir, 'run');
  expect((await run(['train', '--gin_config', gin, '--model_dir', model, '--quiet'])).code).toBe(0);
  edit(path.join(model, 'checkpoints', checkpointName(10), 'manifest.json'), (m) => (m.step = 30));
  const r = await run(['train', '--gin_config', gin, '--model_dir', model]);
  expect(r.code).toBe(0);
  expect(r.output).toMatch(/ckpt-000000010\/manifest.json is damaged: .*Falling back/);
  expect(r.output).toMatch(/resuming from .*ckpt-000000005 \(step 5\)/);
  expectNoStack(r.output);
  const steps = fs.readFileSync(path.join(model, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);
  expect(steps).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
});
