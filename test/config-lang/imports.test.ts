/** Imports that load code, and Gin's dynamic registration (`from __gin__ import dynamic_registration`). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { config, Config, ConfigError, configStr, configurable, getConfigurable, operativeConfigStr, parseConfig, parseSource, registry } from '@cgan/config-lang';

const file = path.join(__dirname, 'fixtures/imports/case.gin');
const apply = (text: string) => {
  const cfg = new Config();
  parseConfig(text, { file, config: cfg });
  return cfg;
};
const error = (text: string): ConfigError => {
  try {
    apply(text);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
};

test('parsing alone never loads code', () => {
  const r = parseSource('import no_such_module\nfrom nowhere import thing as t\n', file);
  expect(r.errors).toEqual([]);
  expect(r.statements.map((s) => s.kind)).toEqual(['import', 'import']);
});

test('dynamic registration: `from m import f` then `f.x = 1` configures the plain function f', () => {
  config.clear();
  parseConfig(['from __gin__ import dynamic_registration', 'from plain_fns import greet', "greet.name = 'gin'", "greet.punctuation = '!'"].join('\n'), { file });
  try {
    expect(registry.lookup('greet').acceptsAnyParam).toBe(true);
    expect(config.imports.map((i) => [i.module, Boolean(i.isFrom)])).toEqual([
      ['__gin__.dynamic_registration', true],
      ['plain_fns.greet', true],
    ]);
    // Called through the configurable (as a reference would be), the bindings arrive as kwargs.
    expect(getConfigurable('greet')({})).toBe('hello gin!');
    expect(getConfigurable('greet')({ name: 'you' })).toBe('hello you!');
  } finally {
    config.clear();
  }
});

test('dynamic registration through `import m as alias` and module paths; references register too', () => {
  const cfg = apply(['from __gin__ import dynamic_registration', 'import plain_fns as pf', 'pf.Box.size = 3', 'X = @pf.greet', 'pf.greet.name = "x"'].join('\n'));
  expect(registry.lookup('pf.Box').kind).toBe('class');
  expect(cfg.query('pf.Box', 'size')).toBe(3);
  expect(typeof getConfigurable('pf.greet')).toBe('function');
});

test('errors are located and say what would fix them', () => {
  const missing = error('\nimport no_such_module');
  expect(missing.message).toMatch(/Cannot find module 'no_such_module'/);
  expect(missing.location).toMatchObject({ line: 2, column: 1 });
  expect(missing.hint).toMatch(/no_such_module\.ts/);
  expect(error('from plain_fns import nothing_here').message).toMatch(/Module 'plain_fns' has no export 'nothing_here'/);
  expect(error('import plain_fns\nfrom __gin__ import dynamic_registration').message).toMatch(/must be enabled before any other import/);
  const notFn = error('from __gin__ import dynamic_registration\nimport plain_fns\nplain_fns.notAFunction.x = 1');
  expect(notFn.message).toMatch(/names a number, not a function or class/);
  expect(notFn.location?.line).toBe(3);
  // Without dynamic registration, a plain export is not configurable.
  expect(error('import plain_fns\nplain_fns.greet.name = 1').message).toMatch(/No configurable matching 'plain_fns.greet'/);
});

test('a module name that only names built-in configurables loads nothing', () => {
  configurable('builtin_fn', { module: 'builtin_mod', params: { a: 1 } }, () => 0);
  const cfg = apply('import builtin_mod\nbuiltin_fn.a = 2');
  expect(cfg.imports[0]).toMatchObject({ module: 'builtin_mod', value: undefined });
});

test("`# loaded from PATH` after an import is where its module was loaded from (operative configs write it)", () => {
  const r = parseSource("import a.b  # loaded from /x/a/b.ts\nfrom c import d as e #loaded from rel/c.js (export d)\nimport f  # a comment\n", file);
  expect(r.errors).toEqual([]);
  expect(r.statements.map((s) => (s.kind === 'import' ? s.loadedFrom : s.kind))).toEqual([{ file: '/x/a/b.ts' }, { file: 'rel/c.js', member: true }, undefined]);
});

test("a config's dump records where imported modules were loaded from, and loads them from there wherever it is read", () => {
  const fixture = path.join(__dirname, 'fixtures/imports/plain_fns.ts');
  const cfg = apply(['from __gin__ import dynamic_registration', 'import plain_fns as pf', 'from plain_fns import greet', "greet.name = 'x'", 'pf.Box.size = 2'].join('\n'));
  const text = configStr(cfg);
  expect(text).toContain(`import plain_fns as pf  # loaded from ${fixture}\n`);
  expect(text).toContain(`from plain_fns import greet  # loaded from ${fixture} (export greet)\n`);
  expect(operativeConfigStr(cfg)).toContain(`import plain_fns as pf  # loaded from ${fixture}\n`);
  // Read from a run directory elsewhere (the module is not next to it, nor in the working directory).
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gan-run-'));
  try {
    const runFile = path.join(runDir, 'operative_config-0.gin');
    fs.writeFileSync(runFile, text);
    const replay = new Config();
    parseConfig(fs.readFileSync(runFile, 'utf8'), { file: runFile, config: replay });
    expect(replay.imports.map((i) => [i.module, i.loadedFrom])).toEqual([
      ['__gin__.dynamic_registration', undefined],
      ['plain_fns', { file: fixture }],
      ['plain_fns.greet', { file: fixture, member: true }],
    ]);
    expect(replay.query('greet', 'name')).toBe('x');
    expect(replay.query('pf.Box', 'size')).toBe(2);
    expect(configStr(replay)).toBe(text);
    // Without the recorded paths, the same file cannot find the module from there.
    expect(() => parseConfig(text.replace(/ {2}# loaded from .*/g, ''), { file: runFile, config: new Config() })).toThrow(/Cannot find module 'plain_fns'/);
    // A recorded file that no longer exists: the import is resolved as usual.
    const moved = text.split(fixture).join(path.join(runDir, 'gone.ts'));
    expect(() => parseConfig(moved, { file: runFile, config: new Config() })).toThrow(/Cannot find module 'plain_fns'/);
    expect(() => parseConfig(moved, { file: file, config: new Config() })).not.toThrow();
  } finally {
    fs.rmSync(runDir, { recursive: true, force: true });
  }
});
