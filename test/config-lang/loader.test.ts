import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  checkConfigFiles,
  Config,
  config,
  configStr,
  configurable,
  ConfigError,
  ConfigErrors,
  loadConfigFiles,
  operativeConfigStr,
  parseConfig,
  parseConfigFiles,
  REQUIRED,
  t,
  toJSONValue,
} from '@cgan/config-lang';

const hinge = configurable('hinge', { module: 'loss_lib', params: { margin: 1.0 } }, (kw: { margin: number }) => kw.margin);
const train = configurable(
  'train',
  { params: { loss_fn: REQUIRED, steps: { default: 10, type: t.int }, lrs: { default: [0.1], type: t.list(t.number) }, name: 'run', extra: { default: null, type: t.any } } },
  (kw: { loss_fn: (k?: object) => number; steps: number; lrs: number[]; name: string; extra: unknown }) => ({ loss: kw.loss_fn(), steps: kw.steps, lrs: kw.lrs, name: kw.name, extra: kw.extra }),
);
configurable('Generator', { module: 'resnet_biggan', params: { hierarchical_z: false, ch: 96 } }, (kw: object) => kw);
configurable('Generator', { module: 'dcgan', params: { ch: 64 } }, (kw: object) => kw);
config.constant('ops.PI', 3.14);

let dir: string;
const write = (rel: string, text: string) => {
  const p = path.join(dir, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gin-'));
});
afterEach(() => {
  config.clear();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('files then bindings are applied in order; later bindings win', () => {
  const a = write('a.gin', 'train.steps = 5\nloss_lib.hinge.margin = 2.0\ntrain.loss_fn = @hinge\n');
  const b = write('b.gin', 'train.steps = 7\n');
  parseConfigFiles([a, b], ['train.steps = 9', "train.name = 'x'"]);
  expect(config.query('train', 'steps')).toBe(9);
  expect(train({})).toEqual({ loss: 2, steps: 9, lrs: [0.1], name: 'x', extra: null });
});

test('scoped bindings, scoped references, evaluated references and macros', () => {
  parseConfig(['LR = [0.5, %ops.PI]', 'hinge.margin = 1.5', 'gen/hinge.margin = 4.0', 'train.loss_fn = @gen/hinge', 'train.lrs = %LR', 'train.extra = {1: @hinge()}'].join('\n'));
  const out = train({}) as { loss: number; lrs: number[]; extra: Record<string, unknown> };
  expect(out.loss).toBe(4);
  expect(out.lrs).toEqual([0.5, 3.14]);
  expect(out.extra).toEqual({ 1: 1.5 });
});

test('includes resolve relative to the including file, then the search paths, expanded in place', () => {
  write('conf/base.gin', "include 'more/inner.gin'\ntrain.steps = 1\n");
  write('conf/more/inner.gin', 'hinge.margin = 3.0\n');
  write('lib/shared.gin', 'train.name = "shared"\n');
  const top = write('conf/top.gin', "include 'base.gin'\ninclude 'shared.gin'\ntrain.steps = 2\n");
  const { statements } = loadConfigFiles([top], [], { searchPaths: [path.join(dir, 'lib')] });
  expect(statements.map((s) => [s.kind, path.basename(s.location.file), s.location.line])).toEqual([
    ['include', 'top.gin', 1],
    ['include', 'base.gin', 1],
    ['binding', 'inner.gin', 1],
    ['binding', 'base.gin', 2],
    ['include', 'top.gin', 2],
    ['binding', 'shared.gin', 1],
    ['binding', 'top.gin', 3],
  ]);
});

test('include cycles are errors naming the chain', () => {
  write('a.gin', "include 'b.gin'\n");
  write('b.gin', "x.y = 1\ninclude 'c.gin'\n");
  write('c.gin', "include 'a.gin'\n");
  let err: ConfigError | undefined;
  try {
    loadConfigFiles([path.join(dir, 'a.gin')]);
  } catch (e) {
    err = e as ConfigError;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect(err!.message).toMatch(/Include cycle: .*a\.gin -> .*b\.gin -> .*c\.gin -> .*a\.gin/);
  expect(err!.location).toMatchObject({ line: 1, column: 1 });
  expect(path.basename(err!.location!.file)).toBe('c.gin');
});

test('a missing include names the places searched', () => {
  const a = write('a.gin', "x.y = 1\ninclude 'nope.gin'\n");
  expect(() => loadConfigFiles([a])).toThrow(/Included file 'nope.gin' not found/);
  try {
    loadConfigFiles([a]);
  } catch (e) {
    expect((e as ConfigError).location!.line).toBe(2);
    expect((e as ConfigError).hint).toContain(path.join(dir, 'nope.gin'));
  }
  expect(() => loadConfigFiles([path.join(dir, 'missing.gin')])).toThrow(/Cannot read config file .*missing.gin.*no such file/);
});

describe('bind-time errors carry the location and the closest known names', () => {
  const first = (src: string) => {
    try {
      parseConfig(src, { file: 'e.gin' });
    } catch (e) {
      return e as ConfigError;
    }
    throw new Error('no error');
  };
  test('unknown configurable', () => {
    const e = first('hinge.margin = 1.0\nhnge.margin = 2.0');
    expect(e.message).toMatch(/No configurable matching 'hnge'/);
    expect(e.location).toMatchObject({ file: 'e.gin', line: 2, column: 1 });
    expect(e.hint).toMatch(/loss_lib\.hinge/);
  });
  test('unknown parameter points at the parameter', () => {
    const e = first('  hinge.margn = 2.0');
    expect(e.message).toMatch(/has no parameter 'margn'/);
    expect(e.location).toMatchObject({ line: 1, column: 9 });
    expect(e.hint).toMatch(/margin/);
    expect(e.format()).toContain('    ' + ' '.repeat(8) + '^');
  });
  test('wrong type points at the value and names the expected type', () => {
    const e = first('train.steps = 2.5');
    expect(e.message).toMatch(/Wrong type for 'train.steps'/);
    expect(e.location).toMatchObject({ line: 1, column: 15 });
    expect(e.hint).toMatch(/int/);
    expect(first("train.lrs = [1, 'a']").message).toMatch(/in list/);
    expect(first("LR = 'fast'\ntrain.steps = %LR").message).toMatch(/expected int/);
  });
  test('ambiguous selectors ask for the module', () => {
    const e = first('Generator.ch = 3');
    expect(e.message).toMatch(/Ambiguous selector 'Generator'/);
    expect(e.hint).toMatch(/dcgan.Generator|resnet_biggan.Generator/);
    parseConfig('resnet_biggan.Generator.hierarchical_z = True');
    expect(config.query('resnet_biggan.Generator', 'hierarchical_z')).toBe(true);
  });
});

test('collecting errors reports every one, syntax and semantic, in order', () => {
  const a = write('a.gin', ['hinge.margin = 1.0', 'hinge.margn = 2.0', 'x..y = 3', 'train.steps = 1.5', 'train.loss_fn = @hnge', 'train.lrs = %NOPE', 'nothing.here = 1', "include 'gone.gin'"].join('\n'));
  const errors = checkConfigFiles([a], ['train.name = (']);
  const where = errors.map((e) => `${path.basename(e.location?.file ?? '')}:${e.location?.line}`);
  expect(where).toEqual(expect.arrayContaining(['a.gin:2', 'a.gin:3', 'a.gin:4', 'a.gin:5', 'a.gin:6', 'a.gin:7', 'a.gin:8', '<binding 1>:1']));
  expect(errors).toHaveLength(8);
  expect(errors.find((e) => /NOPE/.test(e.message))!.location!.column).toBe(13);
  // The process-wide config is untouched by a check.
  expect(config.allBindings()).toEqual([]);
  expect(() => parseConfigFiles([a], [], { collectErrors: true, config: new Config() })).toThrow(ConfigErrors);
});

test('configStr prints imports, macros and grouped sorted bindings that parse back to the same bindings', () => {
  parseConfig(['import compare_gan.gans', 'B = 2', 'A = (1,)', "train.name = 'it\\'s'", 'gen/hinge.margin = 3.0', 'hinge.margin = 0.5', 'train.loss_fn = @gen/hinge()', 'train.lrs = [%A, 1e-4]', 'train.extra = %gin.REQUIRED'].join('\n'));
  const s = configStr();
  expect(s).toBe(
    [
      'import compare_gan.gans',
      '',
      '# Macros:',
      '# ' + '='.repeat(78),
      'A = (1,)',
      'B = 2',
      '',
      '# Parameters for loss_lib.hinge:',
      '# ' + '='.repeat(78),
      'loss_lib.hinge.margin = 0.5',
      '',
      '# Parameters for gen/loss_lib.hinge:',
      '# ' + '='.repeat(78),
      'gen/loss_lib.hinge.margin = 3',
      '',
      '# Parameters for train:',
      '# ' + '='.repeat(78),
      'train.extra = %gin.REQUIRED',
      'train.loss_fn = @gen/hinge()',
      'train.lrs = [%A, 0.0001]',
      'train.name = "it\'s"',
      '',
    ].join('\n'),
  );
  const snapshot = (c: Config) => ({
    b: c.allBindings().map((b) => [b.scope, b.fullName, b.param, toJSONValue(b.value)]).sort(),
    m: c.allMacros().map((m) => [m.name, toJSONValue(m.value)]).sort(),
    i: c.imports.map((i) => i.module),
  });
  const again = new Config();
  parseConfig(s, { config: again });
  expect(snapshot(again)).toEqual(snapshot(config));
});

test('operativeConfigStr lists what was used, defaults included, and parses back', () => {
  parseConfig(['STEPS = 3', 'train.steps = %STEPS', 'train.loss_fn = @hinge', 'UNUSED = 1'].join('\n'));
  train({ name: 'explicit' });
  const s = operativeConfigStr();
  expect(s).toContain('STEPS = 3');
  expect(s).not.toContain('UNUSED');
  expect(s).toContain('train.steps = %STEPS');
  expect(s).toContain('train.lrs = [0.1]');
  expect(s).toContain('train.loss_fn = @hinge');
  expect(s).toContain('loss_lib.hinge.margin = 1');
  expect(s).not.toContain('train.name');
  const again = new Config();
  parseConfig(s, { config: again });
  expect(toJSONValue(again.query('train', 'steps')!)).toEqual({ $macro: 'STEPS' });
  expect(again.macro('STEPS')).toBe(3);
  expect(again.query('hinge', 'margin')).toBe(1);
});

test('syntax errors in an included file carry that file and line; collecting finds them all', () => {
  write('inc/bad.gin', 'ok.a = 1\nbad.b = [1,,]\n');
  const top = write('top.gin', "include 'inc/bad.gin'\nq..r = 1\n");
  expect(() => loadConfigFiles([top])).toThrow(/Unexpected ','/);
  const { errors } = loadConfigFiles([top], [], { collectErrors: true });
  expect(errors.map((e) => [path.relative(dir, e.location!.file), e.location!.line, e.location!.column])).toEqual([
    ['top.gin', 2, 1],
    [path.join('inc', 'bad.gin'), 2, 12],
  ]);
});

test('binding after finalize() is an error at the statement', () => {
  config.finalize();
  expect(() => parseConfig('hinge.margin = 2.0', { file: 'late.gin' })).toThrow(/locked/);
});

test('macros bound later in a file are resolved lazily; a macro cycle is reported', () => {
  parseConfig('train.steps = %S\nS = %T\nT = 4\ntrain.loss_fn = @hinge');
  expect((train({}) as { steps: number }).steps).toBe(4);
  config.clear();
  parseConfig('train.steps = %A\nA = %B\nB = %A\ntrain.loss_fn = @hinge');
  expect(() => train({})).toThrow(/Macro cycle: %A -> %B -> %A/);
});

test('check type-checks bindings to macros defined further down', () => {
  const a = write('m.gin', "train.steps = %LATER\nLATER = 'many'\ntrain.name = %LATER\n");
  const errors = checkConfigFiles([a]);
  expect(errors).toHaveLength(1);
  expect(errors[0].message).toMatch(/Wrong type for 'train.steps': expected int, got str "many"/);
  expect(errors[0].location).toMatchObject({ line: 1, column: 15 });
});
