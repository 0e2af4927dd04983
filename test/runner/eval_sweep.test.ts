/**
 * Sweeps evaluate (issue 18): a sweep file sets the trials' schedule (run_config.schedule, as
 * any binding) and `sweep results` ranks the trials by FID; one name-matching rule for
 * sweep.metric, --sort and best; the progress board knows a trial's total.
 */
import * as fs from 'fs';
import * as path from 'path';
import { main } from '@cgan/runner';
import { totalSteps } from '../../packages/runner/src/sweep/metrics';
import { expectOk, gan as ganIo, tmpdir } from './fixtures';

jest.setTimeout(240000);

const TRAIN = `${process.execPath} ${path.join(__dirname, 'sweep/real-train.js')}`;
const dir = tmpdir('evalsweep');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function gan(...args: string[]) {
  let out = '';
  let err = '';
  const io = { out: (s: string) => void (out += s), err: (s: string) => void (err += s), progressStream: { isTTY: false } as NodeJS.WriteStream };
  const code = await main(['node', 'gan', ...args], io);
  process.exitCode = undefined;
  return { code, out, err };
}

test('a sweep file that sets an evaluation schedule yields a results table ranked by FID', async () => {
  const classifier = path.join(dir, 'classifier');
  expectOk(await ganIo('train-classifier', '--dataset', 'shapes', '--out', classifier, '--backend', 'cpu', '--epochs', '1', '--train_examples', '64', '--test_examples', '16', '--conv_filters', '4', '--dense_units', '8', '--quiet'));
  // Metric names carry the classifier's fingerprint: fid[shapes-classifier@<8 hex digits>].
  const FID = `fid[shapes-classifier@${JSON.parse(fs.readFileSync(path.join(classifier, 'classifier.json'), 'utf8')).fingerprint.slice(0, 8)}]`;
  const FIDRE = FID.replace(/[[\]]/g, '\\$&');
  const sweepFile = path.join(dir, 'sweep.gin');
  fs.writeFileSync(
    sweepFile,
    `runtime.backend = "cpu"
dataset.name = "shapes"
dataset.resolution = 8
dataset.num_train_examples = 32
dataset.num_test_examples = 16
options.gan_class = @ModularGAN
options.architecture = "sweep_test_arch"
options.batch_size = 4
options.training_steps = 3
options.z_dim = 3
run_config.save_checkpoints_steps = 3
run_config.num_samples = 4
loss.fn = @non_saturating
run_config.schedule = 'eval_after_train'
metrics.evaluation.num_samples = 12
metrics.inception_score.num_splits = 2
metrics.domain_classifier.classifier_dir = '${classifier}'
sweep.grid = {'ModularGAN.g_lr': [0.0001, 0.5]}
sweep.metric = 'fid'
`,
  );
  const sweepDir = path.join(dir, 'sweep');
  const run = await gan('sweep', 'run', sweepFile, '--sweep_dir', sweepDir, '--workers', '1', '--trial_command', TRAIN);
  if (!run.err.includes('sweep: 2 trials done, 0 failed')) {
    const logs = fs
      .readdirSync(sweepDir)
      .filter((f) => /^[0-9a-f]{12}$/.test(f))
      .map((id) => path.join(sweepDir, id, 'trial.log'))
      .map((f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').slice(-1500) : `(no ${f})`));
    throw new Error(`${run.err}\n${logs.join('\n---\n')}`);
  }
  const res = await gan('sweep', 'results', sweepDir);
  expect(res.code).toBe(0);
  // Ranked by the FID the trials logged (sweep.metric = 'fid' matches fid[shapes-classifier]).
  expect(res.out).toMatch(new RegExp(`${FIDRE} final\\s+${FIDRE} best \\(min\\)`));
  const ids = fs.readdirSync(sweepDir).filter((f) => /^[0-9a-f]{12}$/.test(f));
  const fids = ids.map((id) => {
    const rec = JSON.parse(fs.readFileSync(path.join(sweepDir, id, 'eval.jsonl'), 'utf8').trim().split('\n')[0]);
    expect(fs.readFileSync(path.join(sweepDir, id, 'operative_config-0.gin'), 'utf8')).toMatch(/run_config\.schedule = 'eval_after_train'/);
    return { id, fid: rec[FID] as number };
  });
  fids.sort((a, b) => a.fid - b.fid);
  const rows = res.out.split('\n').filter((l) => /[0-9a-f]{12}/.test(l));
  expect(rows[0]).toContain(fids[0].id.slice(0, 6));
  // --sort and best use the same rule as sweep.metric.
  expect((await gan('sweep', 'results', sweepDir, '--sort', 'fid')).code).toBe(0);
  expect((await gan('sweep', 'best', sweepDir, '--metric', 'fid')).out).toMatch(new RegExp(`^# Best trial ${fids[0].id} .*: ${FIDRE} = `));
  // A metric no trial logged is an error naming those that exist.
  const bad = await gan('sweep', 'results', sweepDir, '--sort', 'accuracy');
  expect(bad.code).toBe(1);
  expect(bad.err).toMatch(new RegExp(`No trial logged a metric named 'accuracy'[\\s\\S]*metrics found: .*${FIDRE}`));
  // The trial's total is known from its operative config (written as runner_lib.options.training_steps).
  expect(totalSteps(path.join(sweepDir, ids[0]))).toBe(3);
});

test('sweep.metric that no trial logged is an error, not a silent ranking by another metric', async () => {
  const { chooseMetric, matchMetric } = await import('../../packages/runner/src/sweep/results');
  const manifest = { metric: 'fid', keys: [] } as never;
  expect(() => chooseMetric(['d_loss', 'g_loss', 'dOptimizer_lr'], undefined, manifest)).toThrow(/No trial logged a metric named 'fid'/);
  expect(chooseMetric([], undefined, manifest)).toBeNull();
  expect(matchMetric(['fid[a]', 'kid[a]'], 'FID')).toBe('fid[a]');
  expect(() => matchMetric(['fid[a]', 'fid[b]'], 'fid')).toThrow(/matches several metrics/);
});
