/**
 * Extending a run (Compare GAN's semantics): rerunning `gan train` on a model_dir with only
 * schedule bindings changed resumes from the last checkpoint, says what changed and writes a new
 * operative_config-<step>.gin; a change to the model (loss.fn) is refused without --force.
 */
import * as fs from 'fs';
import * as path from 'path';
import { expectOk, gan, TINY_GIN, tmpdir, writeGin } from './fixtures';

const dir = tmpdir('extend');
const model = path.join(dir, 'run');
const gin = writeGin(dir, 'tiny.gin', TINY_GIN);
const listing = () => fs.readdirSync(model).sort().map((f) => [f, fs.statSync(path.join(model, f)).mtimeMs]);
const metricSteps = () => fs.readFileSync(path.join(model, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);

test('raising options.training_steps (and a run_config setting) resumes the run and records the change', async () => {
  expectOk(await gan('train', '--gin_config', gin, '--model_dir', model, '--gin_bindings', 'options.training_steps = 2'));
  const r = expectOk(await gan('train', '--gin_config', gin, '--model_dir', model, '--gin_bindings', 'options.training_steps = 4', '--gin_bindings', 'run_config.log_every_steps = 2'));
  expect(r.err).toMatch(/continuing the run in .* with changed bindings: run_config\.log_every_steps: 1 \(default\) -> 2; runner_lib\.options\.training_steps: 2 -> 4/);
  expect(r.err).toMatch(/resuming from .*step 2/);
  expect(metricSteps()).toEqual([1, 2, 4]);
  expect(fs.readFileSync(path.join(model, 'operative_config-2.gin'), 'utf8')).toMatch(/options\.training_steps = 4/);
  expect(fs.readFileSync(path.join(model, 'operative_config-0.gin'), 'utf8')).toMatch(/options\.training_steps = 2/);
  const runJson = JSON.parse(fs.readFileSync(path.join(model, 'run.json'), 'utf8'));
  expect(runJson.history).toEqual([{ step: 2, effective_bindings: expect.objectContaining({ 'runner_lib.options.training_steps': '2' }) }]);
  expect(runJson.effective_bindings['runner_lib.options.training_steps']).toBe('4');
});

test('changing loss.fn is refused without --force, naming the binding, and changes nothing', async () => {
  const before = listing();
  const r = await gan('train', '--gin_config', gin, '--model_dir', model, '--gin_bindings', 'options.training_steps = 6', '--gin_bindings', 'run_config.log_every_steps = 2', '--gin_bindings', 'loss.fn = @hinge');
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/holds a run with a different config \(loss_lib\.loss\.fn: @non_saturating -> @hinge\)\. Nothing was changed\./);
  // Only the model change is listed: the schedule change alone would have been accepted.
  expect(r.err).not.toMatch(/different config \([^)]*training_steps/);
  expect(r.err).toMatch(/--force/);
  expect(listing()).toEqual(before);
  const forced = expectOk(await gan('train', '--gin_config', gin, '--model_dir', model, '--gin_bindings', 'options.training_steps = 6', '--gin_bindings', 'run_config.log_every_steps = 2', '--gin_bindings', 'loss.fn = @hinge', '--force'));
  expect(forced.err).toMatch(/resuming from .*step 4/);
  expect(fs.existsSync(path.join(model, 'operative_config-4.gin'))).toBe(true);
});
