/** The `gan sweep` commands end to end, in-process (plan, run with a fake trainer, results, best). */
import * as fs from 'fs';
import * as path from 'path';
import { main } from '@cgan/runner';
import { registerTestConfigurables, tmpDir, writeFiles } from './helpers';

const FAKE = `${process.execPath} ${path.join(__dirname, 'fake-train.js')}`;

async function gan(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { out: (s: string) => void (out += s), err: (s: string) => void (err += s), progressStream: { isTTY: false } as NodeJS.WriteStream };
  const code = await main(['node', 'gan', ...args], io);
  process.exitCode = undefined;
  return { code, out, err };
}

beforeAll(registerTestConfigurables);

test('plan, run, re-run, results, best', async () => {
  const src = writeFiles({
    'base.gin': 'SweepToyGAN.steps = 5\n',
    'sweep.gin': `include 'base.gin'\nsweep.grid = {'SweepToyGAN.g_lr': [1e-4, 3e-4], 'SweepToyGAN.loss_fn': [@toy_hinge, @toy_non_saturating]}\nsweep.metric = 'fid'\n`,
  });
  const file = path.join(src, 'sweep.gin');
  const plan = await gan('sweep', 'plan', file);
  expect(plan.code).toBe(0);
  const lines = plan.out.trim().split('\n');
  expect(lines[0]).toBe('# 4 trials over 2 swept bindings: SweepToyGAN.g_lr, SweepToyGAN.loss_fn');
  expect(lines[1]).toMatch(/^[0-9a-f]{12}  SweepToyGAN\.g_lr = 0\.0001; SweepToyGAN\.loss_fn = @toy_loss\.toy_hinge$/);
  const json = JSON.parse((await gan('sweep', 'plan', file, '--json')).out);
  expect(json.trials.map((t: { id: string }) => t.id)).toEqual(lines.slice(1).map((l) => l.slice(0, 12)));

  const dir = tmpDir('sweep-cli-');
  process.env.FAKE_STEP_MS = '10';
  process.env.FAKE_STEPS = '5';
  const run = await gan('sweep', 'run', file, '--sweep_dir', dir, '--workers', '2', '--trial_command', FAKE);
  expect(run.err).toContain('sweep: 4 trials done, 0 failed, 0 skipped');
  expect(run.err).toMatch(/trial [0-9a-f]{12} done/); // plain progress lines when not a TTY
  expect(run.code).toBe(0);
  const again = await gan('sweep', 'run', file, '--sweep_dir', dir, '--workers', '2', '--trial_command', FAKE);
  expect(again.err).toContain('sweep: 0 trials done, 0 failed, 4 skipped');

  const res = await gan('sweep', 'results', dir, '--sort', 'fid');
  expect(res.code).toBe(0);
  const rows = res.out.trim().split('\n');
  expect(rows[0]).toMatch(/^trial\s+state\s+g_lr\s+loss_fn\s+steps\s+wall\s+fid final\s+fid best \(min\)/);
  expect(rows).toHaveLength(6);
  expect(rows[2]).toMatch(/done\s+0\.0003\s+@toy_hinge\s+5/);
  for (const f of ['results.csv', 'results.json', 'report.html']) expect(fs.existsSync(path.join(dir, f))).toBe(true);

  const best = await gan('sweep', 'best', dir, '--metric', 'fid');
  expect(best.code).toBe(0);
  expect(best.out).toMatch(/^# Best trial [0-9a-f]{12} of .*: fid = [\d.]+ \(min\), 5 steps/);
  expect(best.out).toContain('SweepToyGAN.g_lr = 0.0003');
  expect(best.out).toContain('options.training_steps = 5');
}, 60000);

test('bad input: located errors before anything runs, clear messages otherwise', async () => {
  const src = writeFiles({ 'sweep.gin': `sweep.grid = {\n  'SweepToyGAN.g_lr': [],\n}\n` });
  const dir = tmpDir('sweep-cli-');
  const r = await gan('sweep', 'run', path.join(src, 'sweep.gin'), '--sweep_dir', dir, '--trial_command', FAKE);
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/sweep\.gin:2:3: error: Empty grid for 'SweepToyGAN\.g_lr'/);
  expect(fs.readdirSync(dir)).toEqual([]);
  expect((await gan('sweep', 'plan', path.join(src, 'nope.gin'))).err).toMatch(/error: Sweep file '.*nope\.gin' does not exist/);
  expect((await gan('sweep', 'results', path.join(src, 'nowhere'))).err).toMatch(/error: Sweep directory '.*nowhere' does not exist/);
  expect((await gan('sweep', 'results', src)).err).toMatch(/error: Not a sweep directory: .* has no sweep\.json/);
  const q = await gan('sweep', 'run', path.join(src, 'sweep.gin'), '--sweep_dir', dir, '--queue', 'http://localhost');
  expect(q.err).toMatch(/Empty grid/); // config errors come first
});
