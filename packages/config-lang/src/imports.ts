/**
 * Imports that load code. An `import` in a Gin file loads a JavaScript or TypeScript module so
 * that the configurables it registers can be bound; this is how a user brings their own loss
 * or architecture. `import a.b.c` looks for `a/b/c.ts|.js|.mjs|.cjs` (or `a/b/c/index.*`) next
 * to the file holding the statement, then in the search paths (`-I`) and the working directory
 * (so that a run directory's operative config finds the modules of the project it was run
 * from), then asks Node's resolution for `a/b/c` (a package).
 * A name that only names built-in configurables (`import loss_lib`, `import
 * compare_gan.gans.modular_gan`) loads nothing. TypeScript is transpiled on load with SWC.
 *
 * With `from __gin__ import dynamic_registration` first, Gin's dynamic registration applies:
 * after `from my_losses import scaled` (or `import my_losses`, `import m as x`), a selector
 * starting with the imported name (`scaled.factor`, `my_losses.scaled.factor`) reaches that
 * export, which becomes configurable without being registered in code.
 *
 * Parsing (`gan config parse`) never loads code; applying statements (check, train) does.
 */
import * as fs from 'fs';
import Module from 'module';
import * as path from 'path';
import { Config, ImportRecord } from './config';
import { registerDynamic } from './decorators';
import { ConfigError } from './errors';
import { ConfigurableInfo, registry } from './registry';
import { ImportStatement } from './syntax/statements';
import { Location } from './values';

/** `from __gin__ import dynamic_registration`. */
export const DYNAMIC_REGISTRATION = '__gin__.dynamic_registration';

const EXTENSIONS = ['.ts', '.js', '.mjs', '.cjs'];

const isFile = (f: string) => {
  try {
    return fs.statSync(f).isFile();
  } catch {
    return false;
  }
};

/** The directory an import is resolved from: its file's, or the working directory for binding strings. */
function importDir(st: ImportStatement): string {
  const f = st.location.file;
  return f && !f.startsWith('<') ? path.dirname(path.resolve(f)) : process.cwd();
}

/**
 * The file a dotted module name stands for, seen from `fromDir` (then from each of `searchPaths`
 * and the working directory, then through Node's resolution); undefined when none.
 */
export function resolveImport(module: string, fromDir: string, searchPaths: string[] = []): string | undefined {
  const rel = module.split('.').join(path.sep);
  for (const dir of [fromDir, ...searchPaths, process.cwd()]) {
    for (const base of [path.join(dir, rel), path.join(dir, rel, 'index')]) {
      for (const ext of EXTENSIONS) if (isFile(base + ext)) return path.resolve(base + ext);
    }
  }
  try {
    return require.resolve(module.split('.').join('/'), { paths: [fromDir] });
  } catch {
    return undefined;
  }
}

/**
 * Python packages this project ports: their configurables are built in, so importing them
 * (as Compare GAN's and Gin's own configs do) loads nothing.
 */
const PORTED_PACKAGES = /^(?:compare_gan|gin)(?:\.|$)/;

/** Whether `name` names built-in configurables: a ported package, or (a prefix of) a registered module. */
function isBuiltinModule(name: string): boolean {
  return PORTED_PACKAGES.test(name) || registry.all().some((i) => i.fullName.startsWith(`${name}.`) || i.fullName === name);
}

let typeScriptHooked = false;
/** Lets `require` load .ts files by transpiling them with SWC (unless a loader, e.g. Jest's, already does). */
function hookTypeScript(): void {
  const extensions = (Module as unknown as { _extensions: Record<string, (m: Module, file: string) => void> })._extensions;
  if (typeScriptHooked || extensions['.ts']) return;
  typeScriptHooked = true;
  // Stack traces of a failing module then point into the .ts source (inline source maps).
  process.setSourceMapsEnabled(true);
  extensions['.ts'] = (m, file) => {
    // Loaded on first use only: `gan` commands that import no .ts never pay for it.
    const swc = require('@swc/core') as typeof import('@swc/core');
    const out = swc.transformSync(fs.readFileSync(file, 'utf8'), {
      filename: file,
      jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    });
    (m as unknown as { _compile(code: string, file: string): void })._compile(out.code, file);
  };
}

let hostPathsAdded = false;
/**
 * A module outside the project (next to a config file anywhere) resolves packages from its own
 * folder first, then from this project's node_modules: `import { configurable } from
 * '@cgan/config-lang'` reaches the same registry as the CLI. (CommonJS resolution only.)
 */
function addHostPaths(): void {
  if (hostPathsAdded) return;
  hostPathsAdded = true;
  const M = Module as unknown as { _nodeModulePaths(dir: string): string[]; _initPaths(): void };
  const host = M._nodeModulePaths(__dirname).filter((d) => fs.existsSync(d));
  const saved = process.env.NODE_PATH;
  const current = (saved ?? '').split(path.delimiter).filter(Boolean);
  process.env.NODE_PATH = [...current, ...host.filter((h) => !current.includes(h))].join(path.delimiter);
  M._initPaths();
  // Module._initPaths has read it; keep child processes' environment as it was.
  if (saved === undefined) delete process.env.NODE_PATH;
  else process.env.NODE_PATH = saved;
}

/** Where in the module's own file an exception was thrown, from its stack. */
function whereIn(file: string, e: unknown): string {
  const stack = e instanceof Error ? e.stack ?? '' : '';
  const m = stack.split('\n').find((l) => l.includes(file));
  const pos = m && /:(\d+):(\d+)\)?\s*$/.exec(m);
  return pos ? ` (at ${path.relative(process.cwd(), file) || file}:${pos[1]}:${pos[2]})` : '';
}

function loadFile(st: ImportStatement, file: string): unknown {
  if (file.endsWith('.ts')) hookTypeScript();
  addHostPaths();
  try {
    return require(file);
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n').filter((l) => l.trim()).slice(0, 3).join(' ');
    throw new ConfigError(
      `Importing '${st.module}' failed: loading ${path.relative(process.cwd(), file) || file} threw: ${msg}${whereIn(file, e)}`,
      st.location,
      `fix the error in ${path.relative(process.cwd(), file) || file}`,
    );
  }
}

function notFound(st: ImportStatement, dir: string, module: string, searchPaths: string[]): ConfigError {
  const rel = module.split('.').join('/');
  const dirs = [...new Set([dir, ...searchPaths, process.cwd()].map((d) => path.relative(process.cwd(), d) || '.'))];
  return new ConfigError(
    `Cannot find module '${module}' to import.`,
    st.location,
    `looked for ${rel}.ts, .js, .mjs or .cjs (or ${rel}/index.*) in ${dirs.join(', ')}, then for a package '${rel}' through Node's resolution; configurables built into this project need no import`,
  );
}

/** The export `member` of the module loaded from `parentFile` (`from parent import member`). */
function memberOf(st: ImportStatement, parentFile: string): unknown {
  const dot = st.module.lastIndexOf('.');
  const [parent, member] = [st.module.slice(0, dot), st.module.slice(dot + 1)];
  const exports = loadFile(st, parentFile) as Record<string, unknown>;
  if (exports && member in exports) return exports[member];
  const names = exports ? Object.keys(exports).filter((k) => k !== '__esModule') : [];
  throw new ConfigError(`Module '${parent}' has no export '${member}'.`, st.location, names.length ? `it exports: ${names.join(', ')}` : 'export it from the module');
}

/**
 * Loads what an import statement names. Returns the loaded value (a module's exports, or for
 * `from a import b` the export `b` of module `a` when `a/b` is not a module itself) and the
 * file it came from, or no file when the name only names built-in configurables. A file the
 * statement records (`# loaded from PATH`, as operative configs write) is tried first, so that
 * a run's operative config loads the modules the run loaded wherever it is read from.
 * Throws a located ConfigError.
 */
export function loadImport(st: ImportStatement, searchPaths: string[] = []): { value: unknown; loadedFrom?: { file: string; member?: boolean } } {
  if (st.module === DYNAMIC_REGISTRATION || st.module.startsWith('__gin__.')) return { value: undefined };
  const dir = importDir(st);
  const recorded = st.loadedFrom && path.resolve(dir, st.loadedFrom.file);
  if (recorded && isFile(recorded) && (!st.loadedFrom!.member || st.isFrom)) {
    const loadedFrom = { file: recorded, ...(st.loadedFrom!.member && { member: true }) };
    return { value: loadedFrom.member ? memberOf(st, recorded) : loadFile(st, recorded), loadedFrom };
  }
  const file = resolveImport(st.module, dir, searchPaths);
  if (file) return { value: loadFile(st, file), loadedFrom: { file } };
  if (st.isFrom) {
    const parentFile = resolveImport(st.module.slice(0, st.module.lastIndexOf('.')), dir, searchPaths);
    if (parentFile) return { value: memberOf(st, parentFile), loadedFrom: { file: parentFile, member: true } };
  }
  if (isBuiltinModule(st.module)) return { value: undefined };
  throw notFound(st, dir, st.module, searchPaths);
}

/** Applies an import statement to `cfg`: loads its code and records it. */
export function applyImport(st: ImportStatement, cfg: Config, searchPaths: string[] = []): void {
  if (st.module === DYNAMIC_REGISTRATION) {
    const other = cfg.imports.find((i) => i.module !== DYNAMIC_REGISTRATION);
    if (other) {
      throw new ConfigError(
        'Dynamic registration must be enabled before any other import.',
        st.location,
        `move 'from __gin__ import dynamic_registration' above 'import ${other.module}'${other.location ? ` (${other.location.file}:${other.location.line})` : ''}`,
      );
    }
  }
  const { value, loadedFrom } = loadImport(st, searchPaths);
  cfg.addImport(st.module, st.location, { alias: st.alias, isFrom: st.isFrom, value, loadedFrom });
}

/** The name a config uses for an import: its alias, the imported name (from), or the module path. */
const prefixOf = (i: ImportRecord) => i.alias ?? (i.isFrom ? i.module.slice(i.module.lastIndexOf('.') + 1) : i.module);

/**
 * With dynamic registration on, the configurable a selector reaches through an import
 * (`alias.fn`, `fn`, `pkg.mod.fn`), registered on the way; undefined when the selector starts
 * with no imported name (it is then looked up among registered configurables as usual).
 */
export function dynamicConfigurable(selector: string, cfg: Config, location?: Location): ConfigurableInfo | undefined {
  if (!cfg.imports.some((i) => i.module === DYNAMIC_REGISTRATION)) return undefined;
  for (let k = cfg.imports.length - 1; k >= 0; k--) {
    const imp = cfg.imports[k];
    if (imp.module === DYNAMIC_REGISTRATION || imp.value === undefined) continue;
    const prefix = prefixOf(imp);
    if (selector !== prefix && !selector.startsWith(`${prefix}.`)) continue;
    let target: unknown = imp.value;
    for (const part of selector === prefix ? [] : selector.slice(prefix.length + 1).split('.')) {
      target = target === null || target === undefined ? undefined : (target as Record<string, unknown>)[part];
    }
    if (typeof target !== 'function') {
      const what = target === undefined ? 'nothing' : `a ${typeof target}, not a function or class`;
      throw new ConfigError(`'${selector}' names ${what} in the module imported as '${prefix}' (${imp.module}).`, location, 'name an exported function or class');
    }
    return registerDynamic(target, selector);
  }
  return undefined;
}
