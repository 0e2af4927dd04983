/**
 * The configurable manifest: the registry (names, modules, parameters, types, defaults, docs,
 * where each is registered) as JSON, so that tools that only read configs (`gan config check`,
 * `gan config docs`, the language server) know every configurable without loading the code
 * that registers them (the models load TensorFlow.js). The runner builds it; see
 * packages/runner/src/manifest.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { jsToConfigValue } from './config';
import { ConfigError } from './errors';
import { formatValueInline } from './printer';
import { ConfigurableInfo, ParamInfo, registry } from './registry';
import { TypeSpec, typeFromSpec } from './types';
import { fromJSONValue, REQUIRED, toJSONValue } from './values';

export interface ManifestParam {
  name: string;
  /** The type's name as printed (`float`, `list[int]`, `int | None`). */
  type: string;
  /** The type's structure, when it has one (see TypeSpec); without it only the name is known. */
  typeSpec?: TypeSpec;
  required: boolean;
  /** The default in the JSON form of `gan config parse --json`, when it is a config value. */
  default?: unknown;
  /** The default as Gin text (or `<function>`-like text when it has no Gin form). */
  defaultText?: string;
  doc?: string;
}

export interface ManifestConfigurable {
  name: string;
  module?: string;
  fullName: string;
  kind: 'function' | 'class';
  params: ManifestParam[];
  allowlist?: string[];
  denylist?: string[];
  doc?: string;
  /** Where it is registered, the file relative to the manifest's root. */
  source?: { file: string; line: number };
}

export interface Manifest {
  version: 1;
  configurables: ManifestConfigurable[];
}

function paramEntry(p: ParamInfo): ManifestParam {
  const out: ManifestParam = { name: p.name, type: p.type.name, required: !p.hasDefault };
  if (p.type.spec) out.typeSpec = p.type.spec;
  if (p.hasDefault) {
    const v = jsToConfigValue(p.default);
    if (v !== undefined && v !== REQUIRED) {
      out.default = toJSONValue(v);
      out.defaultText = formatValueInline(v);
    } else out.defaultText = `<${typeof p.default === 'function' ? 'function' : typeof p.default}>`;
  }
  if (p.doc) out.doc = p.doc;
  return out;
}

/**
 * A class's registration is reported where its decorator runs, which compilers place at the class's
 * start (SWC) or its end (tsc): use the line of `class Name` at or above it.
 */
function classLine(info: ConfigurableInfo, cache: Map<string, string[]>): number | undefined {
  const src = info.source!;
  if (!cache.has(src.file)) {
    try {
      cache.set(src.file, fs.readFileSync(src.file, 'utf8').split('\n'));
    } catch {
      cache.set(src.file, []);
    }
  }
  const lines = cache.get(src.file)!;
  const decl = new RegExp(`\\bclass\\s+${info.target.name}\\b`);
  for (let l = Math.min(src.line, lines.length); l >= 1; l--) if (decl.test(lines[l - 1])) return l;
  return undefined;
}

/** The manifest entries of registered configurables, sorted by full name; sources relative to `root`. */
export function manifestEntries(infos: ConfigurableInfo[] = registry.all(), root = process.cwd()): ManifestConfigurable[] {
  const cache = new Map<string, string[]>();
  return infos
    .filter((i) => !i.declared)
    .map((i) => {
      const e: ManifestConfigurable = { name: i.name, fullName: i.fullName, kind: i.kind, params: [...i.params.values()].map(paramEntry) };
      if (i.module) e.module = i.module;
      if (i.allowlist) e.allowlist = i.allowlist;
      if (i.denylist) e.denylist = i.denylist;
      if (i.doc) e.doc = i.doc;
      if (i.source) {
        const line = (i.kind === 'class' && i.target.name && classLine(i, cache)) || i.source.line;
        e.source = { file: path.relative(root, i.source.file).split(path.sep).join('/'), line };
      }
      return e;
    })
    .sort((a, b) => (a.fullName < b.fullName ? -1 : a.fullName > b.fullName ? 1 : 0));
}

/** The ConfigurableInfo a manifest entry declares (no code: calling it is an error). */
export function infoFromManifest(e: ManifestConfigurable, root = process.cwd()): ConfigurableInfo {
  const params = new Map<string, ParamInfo>();
  for (const p of e.params) {
    params.set(p.name, {
      name: p.name,
      hasDefault: !p.required,
      default: p.required ? REQUIRED : p.default !== undefined ? fromJSONValue(p.default) : undefined,
      type: typeFromSpec(p.typeSpec, p.type),
      doc: p.doc,
    });
  }
  const target = () => {
    throw new ConfigError(`'${e.fullName}' is only declared by the configurable manifest; its code is not loaded in this process.`);
  };
  const source = e.source && { file: path.resolve(root, e.source.file), line: e.source.line };
  return { name: e.name, module: e.module, fullName: e.fullName, kind: e.kind, params, allowlist: e.allowlist, denylist: e.denylist, doc: e.doc, target, wrapped: target, source, declared: true };
}

/**
 * Registers the manifest's configurables (those not already registered by loaded code).
 * Code loaded later that registers the same name replaces the declaration.
 */
export function declareManifest(manifest: Manifest, root = process.cwd()): void {
  for (const e of manifest.configurables) {
    if (registry.match(e.fullName).some((i) => i.fullName === e.fullName)) continue;
    registry.add(infoFromManifest(e, root));
  }
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * A Markdown reference of every configurable (gin-config issue #167): grouped by module, each
 * with its doc, where it is registered (`sourceLink` turns a manifest path into a link target)
 * and a table of its parameters.
 */
export function manifestMarkdown(entries: ManifestConfigurable[], sourceLink: (file: string) => string = (f) => f): string {
  const byModule = new Map<string, ManifestConfigurable[]>();
  for (const e of entries) {
    const m = e.module ?? '';
    if (!byModule.has(m)) byModule.set(m, []);
    byModule.get(m)!.push(e);
  }
  const modules = [...byModule.keys()].sort();
  const out: string[] = ['# Configurables', '', `${entries.length} configurables. Bind a parameter with \`name.param = value\` in a .gin file; \`@name\` passes a configurable, \`@name()\` its result.`, ''];
  for (const m of modules) out.push(`- [${m || '(no module)'}](#${(m || 'no-module').replace(/[^a-z0-9_-]/gi, '').toLowerCase()})`);
  for (const m of modules) {
    out.push('', `## ${m || '(no module)'}`);
    for (const e of byModule.get(m)!) {
      out.push('', `### \`${e.fullName}\``, '');
      if (e.doc) out.push(e.doc, '');
      const src = e.source ? ` — [${sourceLink(e.source.file)}:${e.source.line}](${sourceLink(e.source.file)}#L${e.source.line})` : '';
      out.push(`A ${e.kind === 'class' ? 'class' : 'function'}${src}.`);
      const params = e.params.filter((p) => (!e.allowlist || e.allowlist.includes(p.name)) && !e.denylist?.includes(p.name));
      if (!params.length) {
        out.push('', 'No parameters.');
        continue;
      }
      out.push('', '| parameter | type | default | description |', '|---|---|---|---|');
      for (const p of params) {
        out.push(`| \`${p.name}\` | ${cell(p.type)} | ${p.required ? '*required*' : `\`${cell(p.defaultText ?? '')}\``} | ${cell(p.doc ?? '')} |`);
      }
    }
  }
  return out.join('\n') + '\n';
}
