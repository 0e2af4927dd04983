/**
 * `gan eval` as a researcher uses it (issue 18): short flags and Gin bindings, the evaluation
 * bindings the run recorded, progress with an ETA, and what was measured with what in eval.jsonl.
 * A tiny run (8x8 shapes) and a tiny domain classifier keep it to seconds.
 */
import * as fs from 'fs';
import * as path from 'path';
import { expectOk, gan, tmpdir, TINY_GIN, writeGin } from './fixtures';

jest.setTimeout(180000);

const dir = tmpdir('eval');
const gin = writeGin(dir, 'tiny.gin', TINY_GIN);
const run = path.join(dir, 'run');
const classifier = path.join(dir, 'classifier');
const useClassifier = `metrics.domain_classifier.classifier_dir = '${classifier}'`;

beforeAll(async () => {
  expectOk(await gan('train', '--gin_config', gin, '--model_dir', run, '--gin_bindings', 'options.training_steps = 2', '--gin_bindings', 'metrics.evaluation.num_samples = 12', '--quiet'));
  expectOk(await gan('train-classifier', '--dataset', 'shapes', '--out', classifier, '--backend', 'cpu', '--epochs', '1', '--train_examples', '64', '--test_examples', '32', '--conv_filters', '4', '--dense_units', '8', '--quiet'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const records = () =>
  fs
    .readFileSync(path.join(run, 'eval.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

test('the operative config records the evaluation settings, and gan eval starts from them', async () => {
  const op = fs.readFileSync(path.join(run, 'operative_config-0.gin'), 'utf8');
  expect(op).toMatch(/metrics\.evaluation\.num_samples = 12/);
  expect(op).toMatch(/metrics\.evaluation\.metrics = \['fid', 'inception_score'\]/);
  const r = expectOk(await gan('eval', '--model_dir', run, '--gin_bindings', useClassifier));
  // The cheap default set: FID and IS, no KID/PRD.
  // Metric names carry the classifier's fingerprint.
  const tag = `shapes-classifier@${JSON.parse(fs.readFileSync(path.join(classifier, 'classifier.json'), 'utf8')).fingerprint.slice(0, 8)}`;
  expect(r.out).toContain(`step 2: fid[${tag}]=`);
  expect(r.out).toMatch(new RegExp(`inception_score\\[${tag}\\]=`));
  expect(r.out).not.toMatch(/kid|prd/);
  // Progress per side with an ETA, then the last line of each side.
  expect(r.err).toMatch(/eval step 2: generated images 12\/12/);
  const [rec] = records();
  expect(rec.eval).toMatchObject({ num_samples: 12, extractor: tag, split: 'test', metrics: ['fid', 'inception_score'] });
  expect(rec.eval.extractor_fingerprint).toMatch(/\w{6,}/);
  expect(typeof rec.eval.extractor_accuracy).toBe('number');
});

test('--num_samples, --metrics and --gin_bindings override the recorded settings; --force evaluates again', async () => {
  const again = expectOk(await gan('eval', '--model_dir', run, '--gin_bindings', useClassifier));
  expect(again.out).toMatch(/nothing to evaluate/);
  const r = expectOk(await gan('eval', '--model_dir', run, '--force', '--num_samples', '10', '--metrics', 'fid,kid,prd', '--gin_bindings', useClassifier, '--gin_bindings', 'metrics.kid.num_subsets = 3', '--gin_bindings', 'metrics.prd.num_clusters = 2'));
  expect(r.out).toMatch(/fid\[shapes-classifier@[0-9a-f]{8}\]=.* kid\[shapes-classifier@[0-9a-f]{8}\]=.* kid_std\[shapes-classifier@[0-9a-f]{8}\]=.* prd_f8/);
  expect(r.out).not.toMatch(/inception_score/);
  expect(records()[1].eval).toMatchObject({ num_samples: 10, metrics: ['fid', 'kid', 'prd'] });
});

test('bad flags are reported in one paragraph', async () => {
  const bad = await gan('eval', '--model_dir', run, '--metrics', 'fid,bogus');
  expect(bad.code).toBe(1);
  expect(bad.err).toMatch(/--metrics: unknown metric 'bogus'[\s\S]*hint: choose from fid, kid/);
  const bad2 = await gan('eval', '--model_dir', run, '--force', '--gin_bindings', 'metrics.evaluation.num_sample = 3');
  expect(bad2.code).toBe(1);
  expect(bad2.err).toMatch(/num_sample/);
  expect(bad2.err).not.toMatch(/internal error/);
});
