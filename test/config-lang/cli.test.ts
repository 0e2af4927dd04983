/** The `gan config` subcommands, run as users run them: the built CLI in a child process. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '../..');
const bin = path.join(root, 'packages/runner/bin/gan.js');
let dir: string;

function gan(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, 'config', ...args], { cwd: dir, encoding: 'utf8', timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const write = (rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
};

beforeAll(() => {
  if (!fs.existsSync(path.join(root, 'packages/runner/dist/commands/config.js'))) {
    throw new Error('The CLI is not built: run `npx tsc -b` first.');
  }
});
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gan-cli-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('parse --json prints the statements in file order, includes expanded in place, bindings last', () => {
  write('main.gin', "import compare_gan.gans\ninclude 'sub/base.gin'\ngen/mod.fn.x = (1, @s/g(), %M)\n");
  write('sub/base.gin', "M = {1: 'a'}\n");
  const r = gan('parse', 'main.gin', '--binding', 'a.b = 1', '--binding', 'c.d = [True, None]', '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual({
    statements: [
      { kind: 'import', module: 'compare_gan.gans', location: { file: 'main.gin', line: 1, column: 1 } },
      { kind: 'include', path: 'sub/base.gin', location: { file: 'main.gin', line: 2, column: 1 } },
      { kind: 'macro', name: 'M', value: { $dict: [[1, 'a']] }, location: { file: 'sub/base.gin', line: 1, column: 1 } },
      {
        kind: 'binding',
        scope: 'gen',
        selector: 'mod.fn',
        param: 'x',
        value: { $tuple: [1, { $ref: 's/g', evaluate: true }, { $macro: 'M' }] },
        location: { file: 'main.gin', line: 3, column: 1 },
      },
      { kind: 'binding', scope: '', selector: 'a', param: 'b', value: 1, location: { file: '<binding 1>', line: 1, column: 1 } },
      { kind: 'binding', scope: '', selector: 'c', param: 'd', value: [true, null], location: { file: '<binding 2>', line: 1, column: 1 } },
    ],
  });
});

test('parse without --json prints the statements as Gin; -I adds include search paths', () => {
  write('lib/shared.gin', 'S = 1e-5\n');
  write('main.gin', "include 'shared.gin'\na.b   =  ( 1, )\n");
  const r = gan('parse', 'main.gin', '-I', 'lib');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toBe("include 'shared.gin'\nS = 1e-5\na.b = (1,)\n");
  expect(gan('parse', 'main.gin').stderr).toMatch(/^main\.gin:1:1: error: Included file 'shared.gin' not found\./);
});

test('parse errors: exit 1, FILE:LINE:COL: error:, the source line, a caret, no stack trace', () => {
  write('bad.gin', 'ok.x = 1\nbad.y = [1,,]\n');
  const r = gan('parse', 'bad.gin', '--json');
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n');
  expect(lines[0]).toBe("bad.gin:2:12: error: Unexpected ','; expected a value or ']'.");
  expect(lines[1]).toBe('    bad.y = [1,,]');
  expect(lines[2]).toBe('    ' + ' '.repeat(11) + '^');
  expect(lines[3]).toMatch(/hint:/);
  expect(r.stderr).not.toMatch(/\n\s+at /);
});

test('include cycles and missing files are reported the same way', () => {
  write('a.gin', "include 'b.gin'\n");
  write('b.gin', "include 'a.gin'\n");
  const cyc = gan('parse', 'a.gin');
  expect(cyc.code).toBe(1);
  expect(cyc.stderr).toMatch(/^b\.gin:1:1: error: Include cycle: a\.gin -> b\.gin -> a\.gin\./);
  const missing = gan('parse', 'nope.gin');
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/Cannot read config file 'nope.gin': no such file/);
  expect(missing.stderr).not.toMatch(/\n\s+at /);
});

test('fmt prints the canonical form; --write rewrites in place; both idempotent', () => {
  write('f.gin', '# keep me\nb.y=[1,2,]  # and me\n\n\n\na.x  =  "s"\n');
  const r = gan('fmt', 'f.gin');
  expect(r.code).toBe(0);
  expect(r.stdout).toBe("# keep me\nb.y = [1, 2]  # and me\n\na.x = 's'\n");
  expect(gan('fmt', 'f.gin', '--write').code).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'f.gin'), 'utf8')).toBe(r.stdout);
  expect(gan('fmt', 'f.gin').stdout).toBe(r.stdout);
  write('g.gin', 'a.b = (\n');
  const bad = gan('fmt', 'g.gin', '--write');
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/^g\.gin:1:8: error: /);
  expect(fs.readFileSync(path.join(dir, 'g.gin'), 'utf8')).toBe('a.b = (\n');
});

test('check reports every error found, not just the first, and exits 1', () => {
  write('c.gin', ['no_such_configurable.x = 1', 'a..b = 2', 'M = %UNDEFINED_MACRO', 'c.d = [1,,]'].join('\n'));
  const r = gan('check', 'c.gin', '--binding', 'other.thing = @nowhere');
  expect(r.code).toBe(1);
  const heads = r.stderr.split('\n').filter((l) => / error: /.test(l));
  expect(heads.map((l) => l.split(' error: ')[0])).toEqual(['c.gin:1:1:', 'c.gin:2:1:', 'c.gin:3:5:', 'c.gin:4:10:', '<binding 1>:1:1:', '<binding 1>:1:15:']);
  expect(r.stderr).toMatch(/6 errors found/);
  expect(r.stderr).not.toMatch(/\n\s+at /);
});

test('check --syntax_only passes a file that only defines macros (a full check wants a run), and rejects calling it without input', () => {
  write('ok.gin', "import compare_gan.gans\nA = 1\nB = [%A, 'x']\n");
  const r = gan('check', 'ok.gin', '--syntax_only');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^OK: ok\.gin/);
  const full = gan('check', 'ok.gin');
  expect(full.code).toBe(1);
  expect(full.stderr).toMatch(/dataset\.name is not set/);
  const none = gan('check');
  expect(none.code).toBe(1);
  expect(none.stderr).toMatch(/No config files or bindings given/);
  const usage = gan('parse', '--no-such-option');
  expect(usage.code).toBe(2);
  expect(usage.stderr).toMatch(/unknown option '--no-such-option'/);
});

test('imports load code in check, never in parse: a .ts module next to the .gin file (transpiled on load)', () => {
  write('my_fns.ts', [
    "import { configurable, t } from '@cgan/config-lang';",
    'interface Kw { factor: number }',
    "export const scaled = configurable('scaled', { module: 'my_fns', params: { factor: t.number } }, (kw: Kw): number => kw.factor * 2);",
    'export function plain(kw: { x: number }): number { return kw.x; }',
  ].join('\n'));
  write('boom.ts', "const n: number = 1;\nthrow new Error('boom ' + n);\n");
  write('bad.gin', "import my_fns\nscaled.factor = 'x'\nimport no_such_module\nimport boom\n");
  write('ok.gin', 'from __gin__ import dynamic_registration\nimport my_fns\nmy_fns.scaled.factor = 3\nfrom my_fns import plain\nplain.x = 1\n');
  // --syntax_only: a fragment (no dataset, no GAN), checked for its language and registry only.
  expect(gan('check', '--syntax_only', 'ok.gin')).toMatchObject({ code: 0, stdout: 'OK: ok.gin (language and registry only)\n' });
  const bad = gan('check', 'bad.gin');
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/^bad\.gin:2:17: error: Wrong type for 'my_fns\.scaled\.factor'/m);
  expect(bad.stderr).toMatch(/^bad\.gin:3:1: error: Cannot find module 'no_such_module' to import\.\n {4}import no_such_module\n {4}\^\n {2}hint: looked for no_such_module\.ts/m);
  expect(bad.stderr).toMatch(/^bad\.gin:4:1: error: Importing 'boom' failed: loading boom\.ts threw: boom 1 \(at boom\.ts:2:\d+\)/m);
  expect(bad.stderr).not.toMatch(/\n\s+at /);
  // parse reads statements only: the missing module is not looked for.
  const parsed = gan('parse', 'bad.gin', '--json');
  expect(parsed.code).toBe(0);
  expect(JSON.parse(parsed.stdout).statements.filter((s: { kind: string }) => s.kind === 'import').map((s: { module: string }) => s.module)).toEqual(['my_fns', 'no_such_module', 'boom']);
});
