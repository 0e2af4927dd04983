/**
 * `gan --help`, `gan config ...` and `gan lsp` start without TensorFlow.js: the CLI loads only
 * the command it runs, and `check`/`docs` read the configurable manifest.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Help } from 'commander';

const root = path.resolve(__dirname, '../..');
const bin = path.join(root, 'packages/runner/bin/gan.js');
let dir: string;

/** Runs gan; the preload script prints, at exit, whether any @tensorflow module was loaded. */
function gan(...args: string[]) {
  const probe = path.join(dir, 'probe.js');
  fs.writeFileSync(probe, "process.on('exit', () => process.stderr.write(`\\nTFJS_LOADED=${Object.keys(require.cache).some((f) => f.includes('@tensorflow'))}\\n`));\n");
  const r = spawnSync(process.execPath, ['--require', probe, bin, ...args], { cwd: dir, encoding: 'utf8', timeout: 120000 });
  const m = /\nTFJS_LOADED=(true|false)\n$/.exec(r.stderr);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.replace(/\nTFJS_LOADED=.*\n$/, ''), tfjs: m?.[1] === 'true' };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gan-manifest-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('gan --help lists every command as the commands themselves describe it, without loading them', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildProgram, COMMANDS } = require('../../packages/runner/src/cli');
  const full = buildProgram({ out: () => undefined, err: () => undefined, progressStream: process.stderr });
  const help = new Help();
  const real = full.commands.map((c: never) => ({ name: (c as { name(): string }).name(), term: help.subcommandTerm(c), summary: help.subcommandDescription(c) }));
  expect(COMMANDS.map((c: { name: string; term: string; summary: string }) => ({ name: c.name, term: c.term, summary: c.summary }))).toEqual(real);

  const r = gan('--help');
  expect(r.code).toBe(0);
  // The same text as the whole program's help.
  let eager = '';
  full.configureOutput({ writeOut: (s: string) => (eager += s) });
  full.outputHelp();
  expect(r.stdout).toBe(eager);
  expect(r.tfjs).toBe(false);
});

test('gan config check and docs read the manifest: same errors, no TensorFlow.js', () => {
  fs.writeFileSync(path.join(dir, 'bad.gin'), "loss_lib.hingee.x = 1\nModularGAN.g_lr = 'fast'\ndataset.name = 'cifar11'\n");
  const r = gan('config', 'check', 'bad.gin');
  expect(r.code).toBe(1);
  expect(r.tfjs).toBe(false);
  expect(r.stderr).toContain("bad.gin:1:1: error: No configurable matching 'loss_lib.hingee'.");
  expect(r.stderr).toContain("did you mean 'loss_lib.hinge'");
  expect(r.stderr).toContain("bad.gin:2:19: error: Wrong type for 'modular_gan.ModularGAN.g_lr': expected float, got str \"fast\".");
  expect(r.stderr).toMatch(/bad\.gin:3:16: error: Wrong type for 'dataset\.name'/);
  expect(r.stderr).toContain('3 errors found.');

  // The language and registry checks alone never load TensorFlow.js; the default check then
  // builds the run as `gan train` would (issue 18), which does.
  const ok = gan('config', 'check', '--syntax_only', path.join(root, 'gin-configs/quickstart_shapes.gin'));
  expect(ok.stderr).toBe('');
  expect([ok.code, ok.tfjs]).toEqual([0, false]);
  // What a run needs of the bound values (here: a dataset) is also checked before the build,
  // so a config that lacks it fails at start-up speed, in train's words.
  fs.writeFileSync(path.join(dir, 'nodata.gin'), 'options.z_dim = 64\nG.batch_norm_fn = @batch_norm()\n');
  const nodata = gan('config', 'check', 'nodata.gin');
  expect([nodata.code, nodata.tfjs]).toEqual([1, false]);
  expect(nodata.stderr).toContain('error: dataset.name is not set: a run needs a dataset.');
  expect(nodata.stderr).toMatch(/nodata\.gin:2:19: error: G\.batch_norm_fn takes a callable/);
  expect(gan('config', 'check', '--syntax_only', 'nodata.gin').code).toBe(0);
  // So are the run's required options, all of them at once, as train reports them.
  fs.writeFileSync(path.join(dir, 'one.gin'), 'dataset.name = "shapes"\noptions.batch_size = %gin.REQUIRED\n');
  const one = gan('config', 'check', 'one.gin');
  expect([one.code, one.tfjs]).toEqual([1, false]);
  const missing = [...one.stderr.matchAll(/error: Required parameter 'runner_lib\.options\.(\w+)' was not supplied\./g)].map((m) => m[1]);
  expect(missing).toEqual(['batch_size', 'gan_class', 'architecture', 'training_steps']);
  expect(one.stderr).toMatch(/one\.gin:2:\d+: error: Required parameter 'runner_lib\.options\.batch_size'/);
  expect(one.stderr).toContain("hint: bind it, e.g. 'runner_lib.options.batch_size = ...' (expects int)");

  const d = gan('config', 'docs', '--out', 'CONFIGURABLES.md');
  expect([d.code, d.tfjs]).toEqual([0, false]);
  const md = fs.readFileSync(path.join(dir, 'CONFIGURABLES.md'), 'utf8');
  expect(md).toContain('### `loss_lib.hinge`');
  expect(md).toMatch(/\| `g_lr` \| float \| `0\.0002` \|/);
  // Source links point at the TypeScript file, relative to the output.
  const link = /\[([^\]]+\.ts):(\d+)\]\(([^)#]+)#L\d+\)/.exec(md)!;
  expect(fs.existsSync(path.resolve(dir, link[3]))).toBe(true);
});

test('the gan launcher starts config, lsp and help without NODE_EXTRA_CA_CERTS, and puts it back', () => {
  // Node warns at start-up about an extra-certificates file it cannot read: a file that does not
  // exist shows whether Node saw the variable. The preload prints what the program sees.
  const probe = path.join(dir, 'env_probe.js');
  fs.writeFileSync(probe, "const at = process.env.NODE_EXTRA_CA_CERTS;\nprocess.on('exit', () => process.stderr.write(`\\nSTART=${at} EXIT=${process.env.NODE_EXTRA_CA_CERTS} GAN=${process.env.GAN_NODE_EXTRA_CA_CERTS}\\n`));\n");
  fs.writeFileSync(path.join(dir, 'ok.gin'), 'dataset.name = "shapes"\n');
  const certs = path.join(dir, 'no-such-certs.pem');
  const launcher = path.join(root, 'packages/runner/bin/gan');
  // Through a symbolic link, as npm installs it (node_modules/.bin/gan).
  const link = path.join(dir, 'gan');
  fs.symlinkSync(launcher, link);
  const run = (...args: string[]) => spawnSync(link, args, { cwd: dir, encoding: 'utf8', timeout: 120000, env: { ...process.env, NODE_EXTRA_CA_CERTS: certs, NODE_OPTIONS: `--require ${probe}` } });

  for (const args of [['config', 'parse', 'ok.gin'], ['--help'], ['config', 'check', '--syntax_only', 'ok.gin']]) {
    const r = run(...args);
    expect([args, r.status]).toEqual([args, 0]);
    expect(r.stderr).not.toMatch(/extra certs/i);
    expect(r.stderr).toContain(`START=undefined EXIT=${certs} GAN=undefined`);
  }
  // Other commands may download: Node starts with the variable (and warns that the file is missing).
  const train = run('train', '--help');
  expect(train.status).toBe(0);
  expect(train.stderr).toMatch(/Ignoring extra certs from .*no-such-certs\.pem/);
  expect(train.stderr).toContain(`START=${certs} EXIT=${certs} GAN=undefined`);
});
