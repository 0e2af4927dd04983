/**
 * The code caches that make `gan config` start fast (packages/config-lang/src/syntax/chevrotain.ts,
 * packages/runner/bin/compile_cache.js): a cache never changes what runs, a stale or broken one
 * is ignored, and one that cannot be written costs nothing but speed. Each case runs the built
 * code in a child process against a temporary copy, so that the build's own caches are untouched.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as Module from 'module';
import * as os from 'os';
import * as path from 'path';
import { bundleToCommonJs } from '../../packages/config-lang/src/syntax/chevrotain';

const root = path.resolve(__dirname, '../..');
let dir: string;

beforeAll(() => {
  if (!fs.existsSync(path.join(root, 'packages/config-lang/dist/syntax/chevrotain.js'))) throw new Error('not built: run `npm run build` first.');
});
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gan-startup-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function node(script: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8', timeout: 60000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('chevrotain bundle with a V8 code cache', () => {
  /** A copy of the loader next to a node_modules link to the real chevrotain, as an install has. */
  function setup(): string {
    fs.copyFileSync(path.join(root, 'packages/config-lang/dist/syntax/chevrotain.js'), path.join(dir, 'chevrotain.js'));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(path.join(root, 'node_modules/chevrotain'), path.join(dir, 'node_modules/chevrotain'), 'dir');
    return path.join(dir, 'chevrotain.v8cache');
  }
  // Builds a lexer and a parser and parses, as the syntax layer does, and prints how it loaded.
  const probe = `
    const c = require('./chevrotain.js');
    const A = c.createToken({ name: 'A', pattern: /a/ }), B = c.createToken({ name: 'B', pattern: /b/ });
    const lexer = new c.Lexer([A, B], { positionTracking: 'onlyOffset' });
    class P extends c.CstParser { constructor() { super([A, B]); this.RULE('s', () => { this.CONSUME(A); this.OPTION(() => this.CONSUME(B)); }); this.performSelfAnalysis(); } }
    const p = new P(); p.input = lexer.tokenize('ab').tokens; const cst = p.s();
    p.input = lexer.tokenize('b').tokens; p.s();
    console.log(c.loadedHow, Object.keys(cst.children).join(','), p.errors[0].name);`;

  test('compiles and writes the cache at exit, then runs from it; same results', () => {
    const cache = setup();
    const first = node(probe);
    expect(first.stderr).toBe('');
    expect(first.stdout.trim()).toBe('compiled A,B MismatchedTokenException');
    expect(fs.existsSync(cache)).toBe(true);
    expect(node(probe).stdout.trim()).toBe('code-cache A,B MismatchedTokenException');
  });

  test('a cache with another key or broken data is not used (and is rewritten)', () => {
    const cache = setup();
    node(probe);
    const good = fs.readFileSync(cache);
    const nl = good.indexOf(10);
    fs.writeFileSync(cache, Buffer.concat([Buffer.from('another key\n'), good.subarray(nl + 1)]));
    expect(node(probe).stdout.trim()).toBe('compiled A,B MismatchedTokenException');
    expect(fs.readFileSync(cache).equals(good)).toBe(false); // rewritten with this run's key
    fs.writeFileSync(cache, Buffer.concat([good.subarray(0, nl + 1), Buffer.alloc(5000, 7)]));
    expect(node(probe).stdout.trim()).toBe('compiled A,B MismatchedTokenException');
    expect(node(probe).stdout.trim()).toBe('code-cache A,B MismatchedTokenException');
  });

  test('a cache that cannot be written or read costs nothing but speed', () => {
    const cache = setup();
    fs.mkdirSync(cache); // neither readable nor replaceable as a file
    const r = node(probe);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('compiled A,B MismatchedTokenException');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('GAN_NO_CODE_CACHE=1 loads the ES module bundle instead', () => {
    setup();
    expect(node(probe, { GAN_NO_CODE_CACHE: '1' }).stdout.trim()).toBe('esm-bundle A,B MismatchedTokenException');
  });

  test("the bundle becomes CommonJS only in the shape it has: one final export list", () => {
    const src = fs.readFileSync(path.join(root, 'node_modules/chevrotain/lib/chevrotain.mjs'), 'utf8');
    expect(bundleToCommonJs(src)).toContain('module.exports = { ');
    expect(bundleToCommonJs(src)).toContain('Parser: Parser2');
    expect(bundleToCommonJs(`import x from 'y';\n${src}`)).toBeUndefined();
    expect(bundleToCommonJs('var a = 1;\nexport default a;\n')).toBeUndefined();
    expect(bundleToCommonJs('var a = 1;\nexport { a as b, c.d };\n')).toBeUndefined();
    expect(bundleToCommonJs('var a = 1;\nexport { a as b };\n')).toBe("'use strict';var a = 1;\nmodule.exports = { b: a };\n");
  });
});

// Node 22.1+ keeps compiled code itself (module.enableCompileCache): the bin uses that instead.
const ownCompileCache = typeof (Module as unknown as { enableCompileCache?: unknown }).enableCompileCache !== 'function';
(ownCompileCache ? describe : describe.skip)("the bin's compile cache for the project's modules", () => {
  const install = path.join(root, 'packages/runner/bin/compile_cache.js');
  const run = () => node(`require(${JSON.stringify(install)}).install('cache', ${JSON.stringify(path.join(dir, 'packages') + path.sep)}); console.log(require('./packages/a/dist/m.js').f())`);
  const writeModule = (value: string) => {
    fs.mkdirSync(path.join(dir, 'packages/a/dist'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'packages/a/dist/m.js'), `exports.f = () => '${value}' + require('./n.js').g();\n`);
    fs.writeFileSync(path.join(dir, 'packages/a/dist/n.js'), "exports.g = () => '!';\n");
  };

  test('writes one file per module, runs from it, and never serves a changed module stale code', () => {
    writeModule('one');
    expect(run().stdout).toBe('one!\n');
    const cached = path.join(dir, 'cache/a~dist~m.js.v8');
    expect(fs.readdirSync(path.join(dir, 'cache')).sort()).toEqual(['a~dist~m.js.v8', 'a~dist~n.js.v8']);
    const before = fs.statSync(cached).mtimeMs;
    expect(run().stdout).toBe('one!\n');
    expect(fs.statSync(cached).mtimeMs).toBe(before); // used, not rewritten
    // Same length, new content: V8 alone would take the old code (it checks the length only).
    writeModule('two');
    expect(run().stdout).toBe('two!\n');
    expect(run().stdout).toBe('two!\n');
  });

  test('broken cache data or an unwritable cache folder change nothing but speed', () => {
    writeModule('one');
    run();
    const cached = path.join(dir, 'cache/a~dist~m.js.v8');
    const text = fs.readFileSync(cached);
    fs.writeFileSync(cached, Buffer.concat([text.subarray(0, text.indexOf(10) + 1), Buffer.alloc(3000, 1)]));
    expect(run()).toEqual({ code: 0, stdout: 'one!\n', stderr: '' });
    fs.rmSync(path.join(dir, 'cache'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'cache'), 'a file where the folder should be');
    expect(run()).toEqual({ code: 0, stdout: 'one!\n', stderr: '' });
  });
});
