/**
 * Chevrotain, loaded fast: every `gan config` command (and the language server) starts by
 * building the lexer and the parser, so how Chevrotain loads is most of their start-up time.
 *
 * chevrotain 11's package entry is ~300 small ES modules (lodash-es) that take ~0.6 s to load
 * one by one. The same release ships them bundled in one file, `lib/chevrotain.mjs`; its only
 * ES-module syntax is the final `export { ... }` list. It is run here as a CommonJS script
 * through `vm.Script` with a V8 code cache (`chevrotain.v8cache`, next to this file in dist/):
 * the functions that building the lexer and the parser and parsing compiled once are loaded
 * compiled instead of parsed and compiled again (`npm run build` writes the cache; see
 * ./code_cache). Without a usable cache (none yet, another Node release or V8 flags, a
 * different chevrotain) it compiles as usual and writes a fresh cache at exit when it can
 * (a read-only install simply goes without).
 *
 * Fallbacks: the bundle as an ES module (also with `GAN_NO_CODE_CACHE=1`), then the package
 * entry. Under Jest (the module runs in a vm context of its own) the bundle is required as an
 * ES module too: a script run in Node's main context would give objects of another realm.
 */
import type * as ChevrotainApi from 'chevrotain';
import * as fs from 'fs';
import Module from 'module';
import * as path from 'path';
import * as vm from 'vm';

type Api = typeof ChevrotainApi;

/** Where the code cache lives: next to the compiled syntax layer. */
export const CODE_CACHE_FILE = path.join(__dirname, 'chevrotain.v8cache');

interface Loaded {
  api: Api;
  /** How it was loaded, for `GAN_DEBUG` and the tests. */
  how: 'code-cache' | 'compiled' | 'esm-bundle' | 'package';
  script?: vm.Script;
  /** The key a code cache must carry to be used with this script. */
  key?: string;
}

/** The bundle's source turned into a CommonJS module body, or undefined if its shape is not the expected one. */
export function bundleToCommonJs(src: string): string | undefined {
  const start = src.lastIndexOf('\nexport {');
  const end = start < 0 ? -1 : src.indexOf('};', start);
  // Nothing else may be ES-module syntax (a plain scan: a regular expression over 350 kB costs ms).
  if (end < 0 || src.startsWith('import ') || src.indexOf('\nimport ') >= 0 || src.indexOf('\nexport ') < start) return undefined;
  const names = src
    .slice(start + '\nexport {'.length, end)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const props: string[] = [];
  for (const n of names) {
    const m = /^([\w$]+)(?:\s+as\s+([\w$]+))?$/.exec(n);
    if (!m) return undefined;
    props.push(m[2] ? `${m[2]}: ${m[1]}` : m[1]);
  }
  // ES modules are strict mode code: so is the script.
  return `'use strict';${src.slice(0, start)}\nmodule.exports = { ${props.join(', ')} };${src.slice(end + 2)}`;
}

/**
 * The bundle inside the chevrotain package that Node would resolve from here. Looked up along
 * the node_modules folders directly: the package's "exports" do not list the file, and
 * resolving the package entry first costs ~4 ms.
 */
function bundleFile(): string | undefined {
  const paths = (Module as unknown as { _nodeModulePaths(from: string): string[] })._nodeModulePaths(__dirname);
  for (const dir of paths) {
    const file = path.join(dir, 'chevrotain', 'lib', 'chevrotain.mjs');
    if (fs.existsSync(file)) return file;
    if (fs.existsSync(path.join(dir, 'chevrotain'))) return undefined; // another layout: use the package entry
  }
  return undefined;
}

/** A cache file is `key\n` then V8's data; the key names what V8 itself does not check. */
function readCache(key: string): Buffer | undefined {
  try {
    const buf = fs.readFileSync(CODE_CACHE_FILE);
    const nl = buf.indexOf(10);
    return nl > 0 && buf.toString('utf8', 0, nl) === key ? buf.subarray(nl + 1) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the code cache of what ran so far (best effort: false when it cannot be written). */
let written = false;
export function writeCodeCache(): boolean {
  if (!loaded.script || !loaded.key) return false;
  const tmp = `${CODE_CACHE_FILE}.${process.pid}.tmp`;
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'w'); // first: a read-only install fails here, before any work
    fs.writeSync(fd, `${loaded.key}\n`);
    fs.writeSync(fd, loaded.script.createCachedData());
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, CODE_CACHE_FILE);
    return (written = true);
  } catch {
    if (fd !== undefined) fs.closeSync(fd);
    try {
      fs.unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    return false;
  }
}

function load(): Loaded {
  const inMainRealm = vm.runInThisContext('Array') === Array;
  const file = bundleFile();
  if (!file) return { api: require('chevrotain') as Api, how: 'package' };
  if (inMainRealm && process.env.GAN_NO_CODE_CACHE === undefined) {
    try {
      const stat = fs.statSync(file);
      const body = bundleToCommonJs(fs.readFileSync(file, 'utf8'));
      if (body) {
        // V8 checks its version, its flags and the source's length; the key adds the rest.
        const key = `chevrotain-v8cache 1 ${process.version} ${process.arch} ${file} ${stat.size} ${stat.mtimeMs}`;
        const cachedData = readCache(key);
        const script = new vm.Script(Module.wrap(body), { filename: file, cachedData });
        const mod = { exports: {} as Api };
        const fn = script.runInThisContext() as (e: unknown, r: NodeRequire, m: unknown, f: string, d: string) => void;
        fn(mod.exports, require, mod, file, path.dirname(file));
        const used = cachedData !== undefined && !script.cachedDataRejected;
        // No usable cache: write one at exit, once this run compiled what it needed.
        if (!used) process.once('exit', () => written || writeCodeCache());
        return { api: mod.exports, how: used ? 'code-cache' : 'compiled', script, key };
      }
    } catch {
      // fall back to the ES module below
    }
  }
  try {
    return { api: require(file) as Api, how: 'esm-bundle' };
  } catch {
    return { api: require('chevrotain') as Api, how: 'package' };
  }
}

const loaded = load();
/** How Chevrotain was loaded ('code-cache' when the cache was used). */
export const loadedHow = loaded.how;

export const { createToken, Lexer, CstParser, tokenMatcher } = loaded.api;
export type { CstElement, CstNode, IRecognitionException, IToken, TokenType } from 'chevrotain';
