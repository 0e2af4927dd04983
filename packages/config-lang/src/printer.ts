/**
 * Printing: config values as Gin literals (`formatValue`), statements, and the two config
 * dumps — `configStr()` (everything bound) and `operativeConfigStr()` (what was used,
 * defaults included). Both are valid Gin that parses back to the same bindings.
 */
import { Config, config as globalConfig, ImportRecord } from './config';
import { decodeNumber, encodeNumber, encodeString } from './syntax/literals';
import { Statement } from './syntax/statements';
import { ConfigurableReference, ConfigValue, Dict, MacroReference, REQUIRED, Tuple } from './values';

export interface FormatOptions {
  /** Lines longer than this break containers one element per line. Default 80. */
  width?: number;
  /** Indentation of the line the value starts on. */
  indent?: number;
  /** Characters already on the line before the value (e.g. `a.b = `). */
  prefix?: number;
}

function isContainer(v: ConfigValue): boolean {
  return Array.isArray(v) || v instanceof Tuple || v instanceof Dict;
}

/** A config value as a Gin literal on one line, e.g. `[1, (2,), {'a': @f()}]`. */
export function formatValueInline(v: ConfigValue): string {
  const f = formatValueInline;
  if ((v as unknown) instanceof SpelledNumber) return (v as unknown as SpelledNumber).text;
  if (v === REQUIRED) return '%gin.REQUIRED';
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return encodeNumber(v);
  if (typeof v === 'string') return encodeString(v);
  if (Array.isArray(v)) return `[${v.map(f).join(', ')}]`;
  if (v instanceof Tuple) {
    if (v.items.length === 1) return `(${f(v.items[0])},)`;
    return `(${v.items.map(f).join(', ')})`;
  }
  if (v instanceof Dict) return `{${v.entries.map(([k, x]) => `${f(k)}: ${f(x)}`).join(', ')}}`;
  if (v instanceof ConfigurableReference) return `@${v.scopedName}${v.evaluate ? '()' : ''}`;
  if (v instanceof MacroReference) return `%${v.name}`;
  throw new TypeError(`not a config value: ${String(v)}`);
}

/**
 * A config value as a Gin literal; containers that do not fit in `width` are broken one
 * element per line (4 spaces deeper, trailing comma), recursively. Deterministic, so the
 * formatter is idempotent.
 */
export function formatValue(v: ConfigValue, opts: FormatOptions = {}): string {
  const width = opts.width ?? 80;
  const indent = opts.indent ?? 0;
  const prefix = opts.prefix ?? indent;
  const inline = formatValueInline(v);
  if (!isContainer(v) || prefix + inline.length <= width) return inline;
  const pad = ' '.repeat(indent + 4);
  const sub = (x: ConfigValue, before = 0) => formatValue(x, { width, indent: indent + 4, prefix: indent + 4 + before });
  let open: string, close: string, items: string[];
  if (Array.isArray(v)) [open, close, items] = ['[', ']', v.map((x) => sub(x))];
  else if (v instanceof Tuple) [open, close, items] = ['(', ')', v.items.map((x) => sub(x))];
  else {
    const d = v as Dict;
    [open, close] = ['{', '}'];
    items = d.entries.map(([k, x]) => {
      const ks = formatValueInline(k);
      return `${ks}: ${sub(x, ks.length + 2)}`;
    });
  }
  if (items.length === 0) return inline;
  return `${open}\n${items.map((s) => `${pad}${s},`).join('\n')}\n${' '.repeat(indent)}${close}`;
}

/** One binding line `scope/configurable.param = value`. */
export function formatBinding(scope: string | string[], selector: string, param: string, value: ConfigValue, width = 80): string {
  const s = Array.isArray(scope) ? scope.join('/') : scope;
  const key = `${s ? `${s}/` : ''}${selector}.${param}`;
  return `${key} = ${formatValue(value, { width, prefix: key.length + 3 })}`;
}

/** A number as the source spelled it (used by the formatter only). */
class SpelledNumber {
  constructor(readonly text: string) {}
}

/**
 * Formats a statement's value reusing its number literals as written (`1e-5`, `0.0`, `0x1F`),
 * in source order; if the literals stop matching (e.g. a repeated dict key was dropped), the
 * remaining numbers get the canonical spelling.
 */
function formatWithSource(v: ConfigValue, texts: string[] | undefined, width: number, prefix: number): string {
  if (!texts?.length) return formatValue(v, { width, prefix });
  const queue = [...texts];
  const spell = (x: ConfigValue): ConfigValue => {
    if (typeof x === 'number') {
      const t = queue.shift();
      if (t !== undefined && Object.is(decodeNumber(t), Math.abs(x)) && Number.isFinite(x)) {
        return new SpelledNumber(`${x < 0 || Object.is(x, -0) ? '-' : ''}${t}`) as unknown as ConfigValue;
      }
      queue.length = 0;
      return x;
    }
    if (Array.isArray(x)) return x.map(spell);
    if (x instanceof Tuple) return new Tuple(x.items.map(spell));
    if (x instanceof Dict) return new Dict(x.entries.map(([k, y]) => [spell(k), spell(y)] as [ConfigValue, ConfigValue]));
    return x;
  };
  return formatValue(spell(v), { width, prefix });
}

/** A statement in canonical form (without its comments). */
export function formatStatement(st: Statement, width = 80): string {
  switch (st.kind) {
    case 'binding': {
      const key = `${st.scope ? `${st.scope}/` : ''}${st.selector}.${st.param}`;
      return `${key} = ${formatWithSource(st.value, st.numberTexts, width, key.length + 3)}`;
    }
    case 'macro':
      return `${st.name} = ${formatWithSource(st.value, st.numberTexts, width, st.name.length + 3)}`;
    case 'import':
      return formatImport(st);
    case 'include':
      return `include ${encodeString(st.path)}`;
  }
}

/**
 * An import of a config's state, with where its module was loaded from as a trailing comment
 * (`# loaded from PATH`; `(export b)` when `from a import b` took an export of a's file): the
 * config then loads the same code wherever it is read from (see ImportStatement.loadedFrom).
 */
function importLine(i: ImportRecord): string {
  const line = formatImport(i);
  if (!i.loadedFrom) return line;
  const member = i.loadedFrom.member ? ` (export ${i.module.slice(i.module.lastIndexOf('.') + 1)})` : '';
  return `${line}  # loaded from ${i.loadedFrom.file}${member}`;
}

/** `import a.b [as c]` or `from a import b [as c]`, as written. */
export function formatImport(st: { module: string; alias?: string; isFrom?: boolean }): string {
  const dot = st.module.lastIndexOf('.');
  const head = st.isFrom && dot > 0 ? `from ${st.module.slice(0, dot)} import ${st.module.slice(dot + 1)}` : `import ${st.module}`;
  return st.alias ? `${head} as ${st.alias}` : head;
}

/** One line of a binding block, indented under its header: `  param = value`. */
export function formatBlockLine(st: { param: string; value: ConfigValue; numberTexts?: string[] }, width = 80): string {
  const body = `${st.param} = ${formatWithSource(st.value, st.numberTexts, width - 2, st.param.length + 3)}`;
  return body.split('\n').map((l) => (l ? `  ${l}` : l)).join('\n');
}

const RULE = '# ' + '='.repeat(78);

interface Section {
  scope: string[];
  fullName: string;
  params: Map<string, ConfigValue>;
}

function render(imports: string[], macros: Array<[string, ConfigValue]>, sections: Section[]): string {
  const out: string[] = [];
  if (imports.length) out.push(imports.join('\n'));
  if (macros.length) {
    const lines = [...macros].sort((a, b) => a[0].localeCompare(b[0])).map(([n, v]) => `${n} = ${formatValue(v, { prefix: n.length + 3 })}`);
    out.push(['# Macros:', RULE, ...lines].join('\n'));
  }
  // Gin's order: by configurable name, then its module, then the scopes (innermost first).
  const sortKey = (x: Section) => [...x.fullName.toLowerCase().split('.').reverse(), ...x.scope.map((p) => p.toLowerCase()).reverse()].join('/');
  const sorted = [...sections].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  for (const s of sorted) {
    if (!s.params.size) continue;
    const name = [...s.scope, s.fullName].join('/');
    const lines = [...s.params.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([p, v]) => formatBinding(s.scope, s.fullName, p, v));
    out.push([`# Parameters for ${name}:`, RULE, ...lines].join('\n'));
  }
  return out.length ? out.join('\n\n') + '\n' : '';
}

/** Every binding and macro currently set, grouped by configurable and sorted, as Gin prints it. */
export function configStr(cfg: Config = globalConfig): string {
  const sections = new Map<string, Section>();
  for (const b of cfg.allBindings()) {
    const k = `${b.scope.join('/')}\u0000${b.fullName}`;
    if (!sections.has(k)) sections.set(k, { scope: b.scope, fullName: b.fullName, params: new Map() });
    sections.get(k)!.params.set(b.param, b.value);
  }
  return render(
    cfg.imports.map(importLine),
    cfg.allMacros().map((m) => [m.name, m.value]),
    [...sections.values()],
  );
}

function macroRefs(v: ConfigValue, out: Set<string>): void {
  if (v instanceof MacroReference) out.add(v.name);
  else if (Array.isArray(v)) v.forEach((x) => macroRefs(x, out));
  else if (v instanceof Tuple) v.items.forEach((x) => macroRefs(x, out));
  else if (v instanceof Dict) v.entries.forEach(([k, x]) => (macroRefs(k, out), macroRefs(x, out)));
}

/**
 * The parameters that configurables actually received (bound or default) since the last
 * clear(), plus the macros those values use, as valid Gin.
 */
export function operativeConfigStr(cfg: Config = globalConfig): string {
  const entries = cfg.operativeEntries();
  const used = new Set<string>();
  for (const e of entries) for (const v of e.params.values()) macroRefs(v, used);
  // Macros used by used macros, transitively.
  const macros: Array<[string, ConfigValue]> = [];
  const done = new Set<string>();
  const queue = [...used];
  while (queue.length) {
    const n = queue.shift()!;
    if (done.has(n)) continue;
    done.add(n);
    const m = cfg.allMacros().find((x) => x.name === n);
    if (!m) continue; // constants are defined in code, not printed
    macros.push([m.name, m.value]);
    const more = new Set<string>();
    macroRefs(m.value, more);
    queue.push(...more);
  }
  return render(
    cfg.imports.map(importLine),
    macros,
    entries.map((e) => ({ scope: e.scope, fullName: e.fullName, params: e.params })),
  );
}
