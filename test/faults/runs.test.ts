/**
 * Family: misleading outcomes of run commands. Each should name the real cause and exit non-zero,
 * or (the run that failed before its first step) not get in the way of the corrected rerun.
 */
import * as fs from 'fs';
import * as path from 'path';
import { gan, TINY_GIN, tmpdir, writeGin } from '../runner/fixtures';
import { expectNoStack } from './helpers';

jest.setTimeout(120000);

const dir = tmpdir('faults-runs');
const tiny = writeGin(dir, 'tiny.gin', TINY_GIN);

function expectError(r: { code: number; out: string; err: string }, re: RegExp): void {
  const all = r.out + r.err;
  if (r.code === 0 || !re.test(all)) throw new Error(`expected a failure matching ${re}, got ${r.code}:\n${all.slice(0, 3000)}`);
  expectNoStack(all);
}

test('gan eval on a run with no checkpoints says so and exits non-zero', async () => {
  const model = path.join(dir, 'nockpt');
  fs.mkdirSync(model);
  fs.writeFileSync(path.join(model, 'run.json'), '{}');
  expectError(await gan('eval', '--model_dir', model), /nockpt has no checkpoint to evaluate/);
});

test('a run that fails before its first step does not force --force on the corrected rerun', async () => {
  const model = path.join(dir, 'early');
  // Fails after run.json would have been written (the dataset runs out: batch larger than the data).
  const bad = await gan('train', '--gin_config', tiny, '--model_dir', model, '--quiet', '--gin_bindings', 'options.batch_size = 100');
  expect(bad.code).not.toBe(0);
  expectNoStack(bad.err);
  const good = await gan('train', '--gin_config', tiny, '--model_dir', model, '--quiet');
  expect(good.err).not.toMatch(/different config|--force/);
  expect(good.code).toBe(0);
});

describe('a trained run whose files are damaged', () => {
  const model = path.join(dir, 'run');
  beforeAll(async () => {
    const r = await gan('train', '--gin_config', tiny, '--model_dir', model, '--quiet');
    if (r.code !== 0) throw new Error(r.err);
  });
  test('an empty operative_config-0.gin is named (no "Required parameter", no fresh seed)', async () => {
    const copy = path.join(dir, 'emptyop');
    fs.cpSync(model, copy, { recursive: true });
    fs.writeFileSync(path.join(copy, 'operative_config-0.gin'), '');
    expectError(await gan('sample', '--checkpoint', copy, '--out', path.join(dir, 'x.png')), /operative_config-0.gin is empty: the run directory is damaged/);
  });
  test('a truncated operative_config-0.gin is named as the likely cause', async () => {
    const copy = path.join(dir, 'truncop');
    fs.cpSync(model, copy, { recursive: true });
    const f = path.join(copy, 'operative_config-0.gin');
    fs.writeFileSync(f, fs.readFileSync(f, 'utf8').split('\n').filter((l) => !/batch_size/.test(l)).join('\n'));
    expectError(await gan('sample', '--checkpoint', copy, '--out', path.join(dir, 'x.png')), /The run's config .*operative_config-0.gin does not rebuild the run \(is the file damaged\?\)/);
  });
});

test('--schedule eval_after_train without a classifier fails before training', async () => {
  const model = path.join(dir, 'noclf');
  const saved = process.env.GAN_CLASSIFIER_DIR;
  process.env.GAN_CLASSIFIER_DIR = tmpdir('faults-noclf');
  try {
    expectError(await gan('train', '--gin_config', tiny, '--model_dir', model, '--schedule', 'eval_after_train', '--quiet'), /--schedule eval_after_train cannot evaluate/);
  } finally {
    if (saved === undefined) delete process.env.GAN_CLASSIFIER_DIR;
    else process.env.GAN_CLASSIFIER_DIR = saved;
  }
  expect(fs.existsSync(path.join(model, 'checkpoints'))).toBe(false);
});
