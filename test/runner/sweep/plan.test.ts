import * as path from 'path';
import { ConfigErrors } from '@cgan/config-lang';
import { loadSweep } from '../../../packages/runner/src/sweep/load';
import { planTrials, trialId } from '../../../packages/runner/src/sweep/plan';
import { registerTestConfigurables, writeFiles } from './helpers';

beforeAll(registerTestConfigurables);

const base = `SweepToyGAN.g_lr = 0.001\nSweepToyGAN.steps = 5\n`;

function plan(sweep: string) {
  const dir = writeFiles({ 'base.gin': base, 'sweep.gin': sweep });
  return loadSweep(path.join(dir, 'sweep.gin'));
}

function errorsOf(sweep: string): string {
  try {
    plan(sweep);
  } catch (e) {
    if (e instanceof ConfigErrors) return e.format();
    throw e;
  }
  throw new Error('expected a ConfigErrors');
}

describe('sweep planning', () => {
  test('grid: the cartesian product in file order, bindings canonical', () => {
    const s = plan(`include 'base.gin'
sweep.grid = {
    'SweepToyGAN.g_lr': [1e-4, 2e-4],
    'SweepToyGAN.loss_fn': [@toy_hinge, @toy_loss.toy_non_saturating],
}
`);
    expect(s.keys).toEqual(['SweepToyGAN.g_lr', 'SweepToyGAN.loss_fn']);
    expect(s.trials.map((t) => t.lines)).toEqual([
      ['SweepToyGAN.g_lr = 0.0001', 'SweepToyGAN.loss_fn = @toy_loss.toy_hinge'],
      ['SweepToyGAN.g_lr = 0.0001', 'SweepToyGAN.loss_fn = @toy_loss.toy_non_saturating'],
      ['SweepToyGAN.g_lr = 0.0002', 'SweepToyGAN.loss_fn = @toy_loss.toy_hinge'],
      ['SweepToyGAN.g_lr = 0.0002', 'SweepToyGAN.loss_fn = @toy_loss.toy_non_saturating'],
    ]);
    expect(new Set(s.trials.map((t) => t.id)).size).toBe(4);
    for (const t of s.trials) expect(t.id).toMatch(/^[0-9a-f]{12}$/);
  });

  test('trial ids are stable: same bindings, same id, whatever the spelling or order', () => {
    const a = plan(`sweep.grid = {'SweepToyGAN.g_lr': [0.0001], 'SweepToyGAN.loss_fn': [@toy_hinge]}`);
    const b = plan(`sweep.grid = {'SweepToyGAN.loss_fn': [@toy_loss.toy_hinge], 'SweepToyGAN.g_lr': [1e-4]}`);
    expect(a.trials[0].id).toBe(b.trials[0].id);
    expect(a.trials[0].id).toBe(trialId(['SweepToyGAN.loss_fn = @toy_loss.toy_hinge', 'SweepToyGAN.g_lr = 0.0001']));
    const c = plan(`sweep.grid = {'SweepToyGAN.g_lr': [0.0001], 'SweepToyGAN.loss_fn': [@toy_non_saturating]}`);
    expect(c.trials[0].id).not.toBe(a.trials[0].id);
  });

  test('random: seeded, within bounds, reproducible; seeds are a dimension', () => {
    const text = `sweep.random = {
    'SweepToyGAN.g_lr': (@log_uniform, 1e-5, 1e-2),
    'SweepToyGAN.d_lr': (@uniform, 0.1, 0.2),
    'SweepToyGAN.disc_iters': (@int_uniform, 1, 5),
    'SweepToyGAN.loss_fn': [@toy_hinge, @toy_non_saturating],
}
sweep.num_trials = 20
sweep.random_seed = 7
sweep.seeds = [0, 1]
sweep.seed_binding = 'SweepToyGAN.seed'
`;
    const s = plan(text);
    expect(s.trials).toHaveLength(40);
    expect(s.keys).toEqual(['SweepToyGAN.g_lr', 'SweepToyGAN.d_lr', 'SweepToyGAN.disc_iters', 'SweepToyGAN.loss_fn', 'SweepToyGAN.seed']);
    const iters = new Set<number>();
    const losses = new Set<string>();
    for (const t of s.trials) {
      const v = Object.fromEntries(t.bindings.map((b) => [b.key, b.value]));
      expect(v['SweepToyGAN.g_lr']).toBeGreaterThanOrEqual(1e-5);
      expect(v['SweepToyGAN.g_lr']).toBeLessThanOrEqual(1e-2);
      expect(v['SweepToyGAN.d_lr']).toBeGreaterThanOrEqual(0.1);
      expect(v['SweepToyGAN.d_lr']).toBeLessThanOrEqual(0.2);
      expect(Number.isInteger(v['SweepToyGAN.disc_iters'])).toBe(true);
      iters.add(v['SweepToyGAN.disc_iters'] as number);
      losses.add(t.lines[3]);
      expect([0, 1]).toContain(v['SweepToyGAN.seed']);
    }
    expect([...iters].every((x) => x >= 1 && x <= 5)).toBe(true);
    expect(iters.size).toBeGreaterThan(2);
    expect(losses.size).toBe(2);
    // log-uniform: spread over decades, not bunched at the top
    const lrs = s.trials.map((t) => t.bindings[0].value as number);
    expect(lrs.some((x) => x < 1e-4)).toBe(true);
    expect(plan(text).trials.map((t) => t.id)).toEqual(s.trials.map((t) => t.id));
    expect(plan(text.replace('random_seed = 7', 'random_seed = 8')).trials[0].id).not.toBe(s.trials[0].id);
  });

  test('grid x random: every grid point gets the random samples', () => {
    const s = plan(`sweep.grid = {'SweepToyGAN.loss_fn': [@toy_hinge, @toy_non_saturating]}
sweep.random = {'SweepToyGAN.g_lr': (@uniform, 0.1, 0.9)}
sweep.num_trials = 3`);
    expect(s.trials).toHaveLength(6);
  });

  test('planTrials collapses identical samples', () => {
    const s = plan(`sweep.random = {'SweepToyGAN.disc_iters': (@int_uniform, 1, 2)}\nsweep.num_trials = 10`);
    expect(s.trials.length).toBe(2);
    expect(planTrials(s.spec).length).toBe(2);
  });
});

describe('sweep errors, with locations, before anything runs', () => {
  test('unknown configurable and unknown parameter point at the key', () => {
    const msg = errorsOf(`sweep.grid = {
    'SweepToyGAN.g_lr': [1e-4],
    'SweepToyGAM.d_lr': [1e-4],
    'SweepToyGAN.glr': [1e-4],
}`);
    expect(msg).toMatch(/sweep\.gin:3:5: error: Unknown swept binding 'SweepToyGAM\.d_lr'/);
    expect(msg).toMatch(/did you mean 'SweepToyGAN'/);
    expect(msg).toMatch(/sweep\.gin:4:5: error: Unknown swept binding 'SweepToyGAN\.glr'.*has no parameter 'glr'/);
  });

  test('empty grid, wrong value types, bad distributions', () => {
    const msg = errorsOf(`sweep.grid = {'SweepToyGAN.g_lr': [], 'SweepToyGAN.disc_iters': [1, 2.5]}
sweep.random = {
  'SweepToyGAN.d_lr': (@log_uniform, 0, 1),
  'SweepToyGAN.steps': (@uniform, 5, 1),
  'SweepToyGAN.seed': (@gaussian, 0, 1),
}
sweep.num_trials = 0`);
    expect(msg).toMatch(/sweep\.gin:1:15: error: Empty grid for 'SweepToyGAN\.g_lr'/);
    expect(msg).toMatch(/sweep\.gin:1:\d+: error: Bad value 2\.5 for 'SweepToyGAN\.disc_iters'.*expected int/);
    expect(msg).toMatch(/sweep\.gin:3:3: error: @log_uniform .* needs positive bounds/);
    expect(msg).toMatch(/sweep\.gin:4:3: error: @uniform .* needs low < high/);
    expect(msg).toMatch(/sweep\.gin:5:\d+: error: .*gaussian/);
    expect(msg).toMatch(/sweep\.gin:7:1: error: sweep\.num_trials must be a positive integer/);
  });

  test('random without num_trials; no sweep statements at all; empty dict', () => {
    expect(errorsOf(`sweep.random = {'SweepToyGAN.g_lr': (@uniform, 0.1, 0.2)}`)).toMatch(/sweep\.gin:1:1: error: sweep\.random needs sweep\.num_trials/);
    expect(errorsOf(`SweepToyGAN.g_lr = 0.1`)).toMatch(/has no sweep statements/);
    expect(errorsOf(`sweep.grid = {}`)).toMatch(/sweep\.gin:1:1: error: sweep\.grid is empty/);
  });

  test('errors in the base config are reported too', () => {
    expect(errorsOf(`include 'base.gin'\nSweepToyGAN.nope = 1\nsweep.grid = {'SweepToyGAN.g_lr': [1e-4]}`)).toMatch(/sweep\.gin:2:\d+: error: 'SweepToyGAN' has no parameter 'nope'/);
  });
});
