/**
 * From files to a configured registry: reads Gin files (expanding `include` in place,
 * relative to the including file, then to the search paths; cycles are errors naming the
 * chain), parses binding strings, and applies statements to a Config. Errors either stop at
 * the first one (default, like Gin) or are all collected (`gan config check`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Config, config as globalConfig } from './config';
import { ConfigError, ConfigErrors, didYouMean } from './errors';
import { applyImport, dynamicConfigurable } from './imports';
import { nestingError, readConfigText } from './limits';
import { registry } from './registry';
import { ParseOptions, parseSource } from './syntax/parse';
import { IncludeStatement, Statement } from './syntax/statements';
import { ConfigurableReference, ConfigValue, Dict, Location, MacroReference, toJSONValue, Tuple } from './values';

export interface LoadOptions extends ParseOptions {
  /** Directories searched for includes and imports not found next to the file holding them. */
  searchPaths?: string[];
  /** Collect every error instead of throwing the first. */
  collectErrors?: boolean;
  /** Text of a file that differs from the disk (an editor's unsaved buffer), else undefined. */
  readFile?: (file: string) => string | undefined;
}

export interface LoadResult {
  /** In file order, includes expanded in place (the include statement precedes its content). */
  statements: Statement[];
  errors: ConfigError[];
}

function fail(errors: ConfigError[], e: ConfigError, collect: boolean | undefined): void {
  if (!collect) throw e;
  errors.push(e);
}

/** An unsaved editor buffer (opts.readFile) wins over the file on disk. */
function readSource(file: string, location: Location | undefined, opts: LoadOptions): string {
  return opts.readFile?.(file) ?? readConfigText(file, location);
}

function append<T>(to: T[], items: readonly T[]): void {
  for (const x of items) to.push(x);
}

/** Parses Gin text (a file's or a binding string's); includes are resolved from `dir`. */
export function loadSource(text: string, file: string, dir: string, opts: LoadOptions = {}, chain: string[] = []): LoadResult {
  const tooDeep = nestingError(text, file);
  if (tooDeep) throw tooDeep;
  const parsed = parseSource(text, file, opts);
  const errors: ConfigError[] = [];
  const statements: Statement[] = [];
  // Appended one by one: spreading a huge array into push() overflows the stack.
  if (opts.collectErrors) append(errors, parsed.errors);
  // Without collecting, the first error in reading order wins (an include's content is read
  // where the include stands).
  const firstSyntax = opts.collectErrors ? undefined : parsed.errors[0];
  for (const st of parsed.statements) {
    if (firstSyntax && firstSyntax.location!.line < st.location.line) throw firstSyntax;
    statements.push(st);
    if (st.kind !== 'include') continue;
    try {
      const inc = expandInclude(st, dir, opts, chain);
      append(statements, inc.statements);
      append(errors, inc.errors);
    } catch (e) {
      if (e instanceof ConfigError) fail(errors, e, opts.collectErrors);
      else throw e;
    }
  }
  if (firstSyntax) throw firstSyntax;
  return { statements, errors };
}

function expandInclude(st: IncludeStatement, dir: string, opts: LoadOptions, chain: string[]): LoadResult {
  const candidates = path.isAbsolute(st.path) ? [st.path] : [dir, ...(opts.searchPaths ?? [])].map((d) => path.join(d, st.path));
  // Anything there is taken (and refused by readConfigText with the reason when not a text file).
  const found = candidates.find((c) => opts.readFile?.(c) !== undefined || fs.existsSync(c));
  if (!found) {
    throw new ConfigError(`Included file '${st.path}' not found.`, st.location, `looked in: ${candidates.join(', ')}${opts.searchPaths?.length ? '' : ' (add directories with --search-path)'}`);
  }
  return loadFileInternal(found, opts, chain, st.location);
}

function loadFileInternal(file: string, opts: LoadOptions, chain: string[], includedAt?: Location): LoadResult {
  const abs = path.resolve(file);
  if (chain.includes(abs)) {
    const names = [...chain.slice(chain.indexOf(abs)), abs].map((p) => path.relative(process.cwd(), p) || p);
    throw new ConfigError(`Include cycle: ${names.join(' -> ')}.`, includedAt, 'remove one of these include statements');
  }
  const text = readSource(file, includedAt, opts);
  return loadSource(text, file, path.dirname(file), opts, [...chain, abs]);
}

/** Reads and parses one Gin file, expanding its includes. */
export function loadFile(file: string, opts: LoadOptions = {}): LoadResult {
  return loadFileInternal(file, opts, []);
}

/** The statements of many files then many binding strings, in order (later wins when applied). */
export function loadConfigFiles(files: string[], bindings: string[] = [], opts: LoadOptions = {}): LoadResult {
  const statements: Statement[] = [];
  const errors: ConfigError[] = [];
  const add = (r: () => LoadResult) => {
    try {
      const x = r();
      append(statements, x.statements);
      append(errors, x.errors);
    } catch (e) {
      if (e instanceof ConfigError) fail(errors, e, opts.collectErrors);
      else throw e;
    }
  };
  for (const f of files) add(() => loadFile(f, opts));
  bindings.forEach((b, i) => add(() => loadSource(b, `<binding ${i + 1}>`, process.cwd(), opts)));
  return { statements, errors };
}

/** With dynamic registration, references through imported names register their targets. */
function registerDynamicRefs(v: ConfigValue, cfg: Config): void {
  walkRefs(v, (r) => {
    if (r instanceof ConfigurableReference) dynamicConfigurable(r.selector, cfg, r.location);
  });
}

/**
 * Applies statements to `cfg`: imports load their modules (see ./imports), macros and
 * bindings are set and validated.
 */
export function applyStatements(statements: Statement[], opts: { collectErrors?: boolean; searchPaths?: string[] } = {}, cfg: Config = globalConfig): ConfigError[] {
  const errors: ConfigError[] = [];
  for (const st of statements) {
    try {
      if (st.kind === 'import') applyImport(st, cfg, opts.searchPaths);
      else if (st.kind === 'macro') {
        registerDynamicRefs(st.value, cfg);
        cfg.bindMacro(st.name, st.value, st.location);
      } else if (st.kind === 'binding') {
        dynamicConfigurable(st.selector, cfg, st.location);
        registerDynamicRefs(st.value, cfg);
        cfg.bind(st.scope ? st.scope.split('/') : [], st.selector, st.param, st.value, st.location, { param: st.paramLocation, value: st.valueLocation });
      }
    } catch (e) {
      if (e instanceof ConfigError) fail(errors, e, opts.collectErrors);
      else throw e;
    }
  }
  return errors;
}

function walkRefs(v: ConfigValue, fn: (r: ConfigurableReference | MacroReference) => void): void {
  if (v instanceof ConfigurableReference || v instanceof MacroReference) fn(v);
  else if (Array.isArray(v)) v.forEach((x) => walkRefs(x, fn));
  else if (v instanceof Tuple) v.items.forEach((x) => walkRefs(x, fn));
  else if (v instanceof Dict) v.entries.forEach(([k, x]) => (walkRefs(k, fn), walkRefs(x, fn)));
}

/** Checks that every `@ref` names a registered configurable and every `%macro` is defined. */
export function checkReferences(statements: Statement[], cfg: Config = globalConfig): ConfigError[] {
  const errors: ConfigError[] = [];
  for (const st of statements) {
    if (st.kind !== 'binding' && st.kind !== 'macro') continue;
    walkRefs(st.value, (r) => {
      if (r instanceof ConfigurableReference) {
        try {
          registry.lookup(r.selector, r.location);
        } catch (e) {
          if (e instanceof ConfigError) errors.push(e);
          else throw e;
        }
      } else if (cfg.macro(r.name) === undefined) {
        errors.push(new ConfigError(`Unknown macro '%${r.name}'.`, r.location, didYouMean(r.name, cfg.macroNames()) ?? `define it with '${r.name} = ...'`));
      }
    });
  }
  return errors;
}

/**
 * Gin's `parse_config_files_and_bindings`: parses the files, then the binding strings, and
 * applies them to `cfg` in that order (later bindings win). Throws the first ConfigError, or
 * with `collectErrors` a ConfigErrors holding every error found (references checked too).
 */
export function parseConfigFiles(files: string[], bindings: string[] = [], opts: LoadOptions & { config?: Config } = {}): Statement[] {
  const cfg = opts.config ?? globalConfig;
  const loaded = loadConfigFiles(files, bindings, opts);
  const errors = [...loaded.errors, ...applyStatements(loaded.statements, opts, cfg)];
  if (opts.collectErrors) {
    append(errors, checkReferences(loaded.statements, cfg));
    append(errors, checkMacroTypes(loaded.statements, errors, cfg));
    sortByPosition(errors, loaded.statements);
  }
  if (errors.length) throw errors.length === 1 ? errors[0] : new ConfigErrors(errors);
  return loaded.statements;
}

/**
 * Bindings to a macro defined further down could not be type-checked when bound: checks them
 * now that every macro is known (skipping statements that already have an error).
 */
function checkMacroTypes(statements: Statement[], known: ConfigError[], cfg: Config): ConfigError[] {
  const failed = new Set(known.map((e) => `${e.location?.file}:${e.location?.line}`));
  const errors: ConfigError[] = [];
  for (const st of statements) {
    if (st.kind !== 'binding' || !(st.value instanceof MacroReference)) continue;
    if (failed.has(`${st.location.file}:${st.location.line}`)) continue;
    try {
      const info = registry.lookup(st.selector, st.location);
      cfg.checkParam(info, st.param, st.value, st.paramLocation, st.valueLocation);
    } catch (e) {
      if (e instanceof ConfigError) errors.push(e);
      else throw e;
    }
  }
  return errors;
}

/** Orders errors as their sources were read (files in load order), then by line and column. */
function sortByPosition(errors: ConfigError[], statements: Statement[]): void {
  const order = new Map<string, number>();
  for (const f of [...statements.map((s) => s.location.file), ...errors.map((e) => e.location?.file ?? '')]) {
    if (!order.has(f)) order.set(f, order.size);
  }
  const pos = (e: ConfigError) => [order.get(e.location?.file ?? '')!, e.location?.line ?? 0, e.location?.column ?? 0];
  errors.sort((a, b) => {
    const [x, y] = [pos(a), pos(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
}

/** Parses and applies one Gin string (Gin's `parse_config`). */
export function parseConfig(text: string, opts: LoadOptions & { config?: Config; file?: string } = {}): Statement[] {
  const loaded = loadSource(text, opts.file ?? '<string>', process.cwd(), opts);
  applyStatements(loaded.statements, opts, opts.config ?? globalConfig);
  return loaded.statements;
}

/**
 * Validates files and bindings against the registered configurables without throwing:
 * returns every error found (syntax, includes, names, parameters, types, references).
 * Works on a scratch Config (or `opts.config`, to look at what was bound afterwards) so that the
 * process-wide one is left untouched.
 */
export function checkConfigFiles(files: string[], bindings: string[] = [], opts: LoadOptions & { config?: Config } = {}): ConfigError[] {
  try {
    parseConfigFiles(files, bindings, { ...opts, collectErrors: true, config: opts.config ?? new Config() });
    return [];
  } catch (e) {
    if (e instanceof ConfigErrors) return e.errors;
    if (e instanceof ConfigError) return [e];
    throw e;
  }
}

/** The JSON form of a statement used by `gan config parse --json`. */
export function statementToJSON(st: Statement): Record<string, unknown> {
  const location = { file: st.location.file, line: st.location.line, column: st.location.column };
  switch (st.kind) {
    case 'binding':
      return { kind: 'binding', scope: st.scope, selector: st.selector, param: st.param, value: toJSONValue(st.value), location };
    case 'macro':
      return { kind: 'macro', name: st.name, value: toJSONValue(st.value), location };
    case 'import':
      return { kind: 'import', module: st.module, ...(st.alias ? { alias: st.alias } : {}), ...(st.isFrom ? { isFrom: true } : {}), location };
    case 'include':
      return { kind: 'include', path: st.path, location };
  }
}
