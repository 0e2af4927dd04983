/**
 * Family: bounded inputs. Files that are not text (device, FIFO, binary, folder, symlink loop),
 * size and nesting limits, huge configs, overflowing numbers, huge strings, trial counts,
 * tensor sizes, CLI values. All in-process (main()), each a one-paragraph error, no stack.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { gan, TINY_GIN, tmpdir, writeGin } from '../runner/fixtures';
import { Config, parseConfigFiles } from '@cgan/config-lang';
import { expectNoStack } from './helpers';

jest.setTimeout(120000);

function expectError(r: { code: number; out: string; err: string }, re: RegExp): void {
  const all = r.out + r.err;
  if (r.code === 0 || !re.test(all)) throw new Error(`expected a failure matching ${re}, got ${r.code}:\n${all.slice(0, 3000)}`);
  expectNoStack(all);
}

const dir = tmpdir('faults-inputs');

/** `gan config check FILE`, in-process: the loader's errors as the CLI prints them. */
async function check(file: string): Promise<{ code: number; out: string; err: string }> {
  try {
    parseConfigFiles([file], [], { collectErrors: true, config: new Config() });
    return { code: 0, out: '', err: '' };
  } catch (e) {
    return { code: 1, out: '', err: (e as { format(): string }).format() };
  }
}
const tiny = writeGin(dir, 'tiny.gin', TINY_GIN);

test.each([
  ['/dev/zero', () => '/dev/zero', /'\/dev\/zero': it is a device, not a text file/],
  ['a FIFO', () => {
    const f = path.join(dir, 'fifo.gin');
    if (!fs.existsSync(f)) execFileSync('mkfifo', [f]);
    return f;
  }, /fifo.gin': it is a named pipe \(FIFO\), not a text file/],
  ['a binary file', () => writeGin(dir, 'bin.gin', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]).toString('latin1')), /bin.gin' is not a text file \(byte 0x02 at line 1, column 5\)/],
  ['invalid UTF-8', () => {
    const f = path.join(dir, 'latin.gin');
    fs.writeFileSync(f, Buffer.from([0x78, 0x20, 0x3d, 0x20, 0xff, 0xfe]));
    return f;
  }, /latin.gin' is not a text file \(it is not valid UTF-8\)/],
  ['a folder', () => dir, /is a folder, not a \.gin file|it is a directory/],
  ['a symlink loop', () => {
    const a = path.join(dir, 'loop-a.gin');
    const b = path.join(dir, 'loop-b.gin');
    if (!fs.existsSync(path.join(dir, 'loop-made'))) {
      fs.symlinkSync(b, a);
      fs.symlinkSync(a, b);
      fs.writeFileSync(path.join(dir, 'loop-made'), '');
    }
    return a;
  }, /loop-a.gin.*a loop of symbolic links/],
  ['a missing file', () => path.join(dir, 'nope.gin'), /nope.gin'(: no such file| does not exist)/],
])('--gin_config naming %s is refused up front', async (_, make, re) => {
  const f = make();
  expectError(await gan('train', '--gin_config', f, '--model_dir', path.join(dir, 'never')), re);
  expectError(await check(f), re);
  expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
});

test('an include of a FIFO is refused with the include location', async () => {
  const fifo = path.join(dir, 'inc-fifo.gin');
  execFileSync('mkfifo', [fifo]);
  const f = writeGin(dir, 'inc.gin', `include '${fifo}'\n`);
  expectError(await check(f), /inc.gin:1:1: error: Cannot read config file .*named pipe/);
});

test('size limit: a config over GAN_CONFIG_MAX_BYTES is named with its size', async () => {
  const f = writeGin(dir, 'big.gin', TINY_GIN + '#'.repeat(4000) + '\n');
  process.env.GAN_CONFIG_MAX_BYTES = '2000';
  try {
    expectError(await check(f), /big.gin' is 0.00 MB; config files are limited to 0.00 MB.*GAN_CONFIG_MAX_BYTES/s);
  } finally {
    delete process.env.GAN_CONFIG_MAX_BYTES;
  }
});

test('150,000 statements load (no stack overflow from spreading into push)', async () => {
  const lines = [TINY_GIN];
  for (let i = 0; i < 150000; i++) lines.push(`m${i} = ${i}`);
  const f = writeGin(dir, 'many.gin', lines.join('\n') + '\n');
  const r = await check(f);
  expect(r.code).toBe(0);
});

test.each([
  ['a file', async () => check(writeGin(dir, 'deep.gin', `x = ${'['.repeat(500)}${']'.repeat(500)}\n`)), /deep.gin:1:105: error: Values are nested more than 100 deep/],
  ['--gin_bindings', async () => gan('train', '--gin_config', tiny, '--model_dir', path.join(dir, 'never'), '--gin_bindings', `options.z_dim = ${'('.repeat(450)}1${')'.repeat(450)}`), /<binding 1>:1:117: error: Values are nested more than 100 deep/],
  ['a dict', async () => check(writeGin(dir, 'deepd.gin', `x = ${"{'a': ".repeat(400)}1${'}'.repeat(400)}\n`)), /deepd.gin:1:\d+: error: Values are nested more than 100 deep/],
])('values nested 400+ deep in %s: a located error', async (_, go, re) => {
  expectError(await go(), re);
});

test('brackets inside strings and comments do not count toward nesting', async () => {
  const f = writeGin(dir, 'strs.gin', `${TINY_GIN}\nm = "${'['.repeat(300)}"  # ${'('.repeat(300)}\n`);
  expect((await check(f)).code).toBe(0);
});

test('ModularGAN.g_lr = 1e999 is blamed on that binding', async () => {
  expectError(await gan('train', '--gin_config', tiny, '--model_dir', path.join(dir, 'never'), '--gin_bindings', 'ModularGAN.g_lr = 1e999'), /<binding 1>:1:19: error: Wrong type for 'modular_gan.ModularGAN.g_lr': expected float, got Infinity/);
});

test('a 300 KB bad string is clipped in the message, not echoed', async () => {
  const f = writeGin(dir, 'long.gin', `${TINY_GIN}\noptions.architecture = "${'a'.repeat(300_000)}"\n`);
  const r = await gan('train', '--gin_config', f, '--model_dir', path.join(dir, 'never'));
  expectError(r, /aaaa\.\.\. ?\(\d+ characters\)/);
  expect((r.out + r.err).length).toBeLessThan(4000);
  const r2 = await gan('train', '--gin_config', tiny, '--model_dir', path.join(dir, 'never'), '--gin_bindings', `options.architecture = ${'x'.repeat(300_000)}`);
  expect(r2.code).not.toBe(0);
  expect((r2.out + r2.err).length).toBeLessThan(4000);
  expectNoStack(r2.out + r2.err);
});

test.each([
  ['sweep.num_trials = 100000000', `sweep.random = {'ModularGAN.g_lr': (@log_uniform, 1e-5, 1e-3)}\nsweep.num_trials = 100000000\n`, /sweep.gin:2:1: error: This sweep plans 100,000,000 trials, more than sweep.max_trials = 10,000/],
  ['a 1M-point grid', `sweep.grid = {'ModularGAN.g_lr': [${Array.from({ length: 1000 }, (_, i) => (i + 1) * 1e-6).join(', ')}], 'ModularGAN.d_lr': [${Array.from({ length: 1000 }, (_, i) => (i + 1) * 1e-6).join(', ')}]}\n`, /This sweep plans 1,000,000 trials/],
])('%s is refused before planning', async (_, text, re) => {
  const d = tmpdir('faults-sweepcap');
  const f = writeGin(d, 'sweep.gin', text);
  const t0 = Date.now();
  expectError(await gan('sweep', 'plan', f), re);
  expect(Date.now() - t0).toBeLessThan(20000);
});

test('sweep.max_trials raises the cap explicitly', async () => {
  const d = tmpdir('faults-sweepcap2');
  const f = writeGin(d, 'sweep.gin', `sweep.random = {'ModularGAN.g_lr': (@log_uniform, 1e-5, 1e-3)}\nsweep.num_trials = 12\nsweep.max_trials = 12\n`);
  const r = await gan('sweep', 'plan', f);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^# 12 trials/);
  const f2 = writeGin(d, 'sweep2.gin', `sweep.random = {'ModularGAN.g_lr': (@log_uniform, 1e-5, 1e-3)}\nsweep.num_trials = 13\nsweep.max_trials = 12\n`);
  expectError(await gan('sweep', 'plan', f2), /plans 13 trials, more than sweep.max_trials = 12/);
});

test.each([
  ['options.batch_size = 10000000', /options.batch_size = 10,000,000 needs a tensor of 1,920,000,000 values/],
  ['options.z_dim = 10000000', /options.z_dim = 10,000,000 needs a tensor/],
  ['run_config.num_samples = 0', /run_config.num_samples = 0: sample grids need at least one image/],
  ['run_config.num_samples = 10000000', /run_config.num_samples = 10,000,000 needs a tensor/],
])('%s is refused before any tensor is allocated', async (binding, re) => {
  const model = path.join(dir, `never-${binding.length}`);
  expectError(await gan('train', '--gin_config', tiny, '--model_dir', model, '--gin_bindings', binding), re);
  expect(fs.existsSync(path.join(model, 'run.json'))).toBe(false);
});

describe('gan sample on a trained tiny run', () => {
  const model = path.join(dir, 'run');
  beforeAll(async () => {
    const r = await gan('train', '--gin_config', tiny, '--model_dir', model, '--quiet');
    if (r.code !== 0) throw new Error(r.err);
  });
  test.each([
    [['--seed', 'abc'], /--seed must be an integer, got 'abc'/],
    [['--seed', '1.5'], /--seed must be an integer/],
    [['--label', '1'], /--label 1 was given, but this GAN is not conditional/],
    [['--n', '100000000'], /--n = 100,000,000 needs a tensor of 19,200,000,000 values/],
  ])('sample %j is rejected', async (args, re) => {
    expectError(await gan('sample', '--checkpoint', model, '--out', path.join(dir, 'x.png'), ...(args as string[])), re);
  });
  test('sample --out naming a folder: refused, nothing left behind', async () => {
    const out = path.join(dir, 'outdir');
    fs.mkdirSync(out, { recursive: true });
    expectError(await gan('sample', '--checkpoint', model, '--out', out), /--out '.*outdir' is a folder/);
    expect(fs.readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});
