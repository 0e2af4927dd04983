/**
 * The library API and the installed `gan` (issue 18): the README example runs from outside the
 * repository's working directory; `npm install -g` of packages/runner gives a `gan` that works
 * anywhere; `main` takes plain arguments.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { main } from '@cgan/runner';
import type { Io } from '../../packages/runner/src/io';
import { tmpdir } from './fixtures';

jest.setTimeout(180000);

const ROOT = path.resolve(__dirname, '../..');
const dir = tmpdir('api');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the README library example is examples/library.js, and it runs from outside the repository', () => {
  const example = fs.readFileSync(path.join(ROOT, 'examples/library.js'), 'utf8');
  expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain('```js\n' + example + '```');
  const work = fs.mkdtempSync(path.join(dir, 'outside-'));
  fs.copyFileSync(path.join(ROOT, 'examples/library.js'), path.join(work, 'library.js'));
  const r = spawnSync(process.execPath, ['library.js'], { cwd: work, encoding: 'utf8', timeout: 150000, env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') } });
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toEqual({ finalStep: 2, step: 2, shape: [4, 8, 8, 3] });
});

test('npm install -g gives a gan that works from any directory', () => {
  const prefix = path.join(dir, 'global');
  const npm = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', path.join(ROOT, 'packages/runner')], { encoding: 'utf8', timeout: 120000 });
  expect(npm.status).toBe(0);
  const gin = path.join(dir, 'ok.gin');
  fs.writeFileSync(gin, ['dataset.name = "shapes"', 'dataset.resolution = 8', 'options.gan_class = @ModularGAN', 'options.architecture = "dcgan_arch"', 'options.batch_size = 4', 'options.training_steps = 1', 'options.z_dim = 8', 'loss.fn = @hinge', 'runtime.backend = "cpu"', ''].join('\n'));
  const r = spawnSync(path.join(prefix, 'bin', 'gan'), ['config', 'check', gin], { cwd: dir, encoding: 'utf8', timeout: 120000 });
  expect(r.stderr).toBe('');
  expect(r.stdout).toMatch(/^OK: .*ok\.gin \(builds\)/);
});

test('main takes plain arguments (process.argv form still accepted)', async () => {
  let out = '';
  const io: Io = { out: (s) => void (out += s), err: () => undefined, progressStream: process.stderr };
  expect(await main(['--version'], io)).toBe(0);
  expect(out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  out = '';
  expect(await main(['node', 'gan', '--version'], io)).toBe(0);
  expect(out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
});
