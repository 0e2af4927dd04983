/**
 * What the server knows of one .gin document: its statements (includes expanded, unsaved
 * buffers read instead of the disk), its errors as `gan config check` reports them, and what is
 * under a position. Pure functions of the text and the registry; no LSP types here but positions.
 */
import * as path from 'path';
import {
  checkConfigFiles,
  ConfigError,
  loadSource,
  parseSource,
  registry,
  Statement,
} from '@cgan/config-lang';

/** Reads a file as the editor has it (an open document's unsaved text) or undefined for the disk. */
export type BufferReader = (file: string) => string | undefined;

export interface Analysis {
  file: string;
  text: string;
  /** The document's own statements (includes not expanded). */
  own: Statement[];
  /** Every statement reached, includes expanded in place (other files' statements included). */
  all: Statement[];
  /** Every error, as `gan config check FILE` reports them. */
  errors: ConfigError[];
  /** For each file reached through an include, the include statement of this document leading there. */
  includedVia: Map<string, Statement>;
}

export function analyze(file: string, text: string, buffers: BufferReader): Analysis {
  const readFile: BufferReader = (f) => (path.resolve(f) === file ? text : buffers(path.resolve(f)));
  const own = parseSource(text, file).statements;
  let all: Statement[] = own;
  try {
    all = loadSource(text, file, path.dirname(file), { collectErrors: true, readFile }).statements;
  } catch {
    // collectErrors: only unexpected errors throw; the own statements still serve completion.
  }
  const errors = checkConfigFiles([file], [], { readFile });
  const includedVia = new Map<string, Statement>();
  let via: Statement | undefined;
  for (const st of all) {
    if (st.location.file === file) via = st.kind === 'include' ? st : undefined;
    else if (via && !includedVia.has(st.location.file)) includedVia.set(st.location.file, via);
  }
  return { file, text, own, all, errors, includedVia };
}

/** The full name a selector resolves to, or the selector itself when it is unknown or ambiguous. */
export function resolveSelector(selector: string): string {
  const m = registry.match(selector);
  return m.length === 1 ? m[0].fullName : selector;
}

/** What a position is on. */
export type Target =
  | { kind: 'configurable'; selector: string; start: number; end: number }
  | { kind: 'param'; selector: string; param: string; start: number; end: number }
  | { kind: 'reference'; selector: string; start: number; end: number }
  | { kind: 'macro'; name: string; start: number; end: number }
  | { kind: 'include'; path: string; start: number; end: number };

const NAME = /[A-Za-z_][A-Za-z0-9_.]*(?:\/[A-Za-z_][A-Za-z0-9_.]*)*/y;

/**
 * The header of the binding block an indented line belongs to (Gin 0.5: `f:` then indented
 * `x = 1` lines), or undefined.
 */
export function blockSelector(lines: string[], line: number): string | undefined {
  if (!/^\s+/.test(lines[line] ?? '')) return undefined;
  for (let l = line - 1; l >= 0; l--) {
    const s = lines[l];
    if (/^\s*(#.*)?$/.test(s) || /^\s/.test(s)) continue;
    const m = /^([A-Za-z_][\w./]*)\s*:\s*(#.*)?$/.exec(s);
    return m ? m[1] : undefined;
  }
  return undefined;
}

/** What is under (line, character) of `lines` (0-based), if anything the server can tell about. */
export function targetAt(lines: string[], line: number, character: number): Target | undefined {
  const text = lines[line] ?? '';
  const inc = /^(\s*include\s+)(['"])(.*?)\2/.exec(text);
  if (inc && character >= inc[1].length && character <= inc[0].length) {
    return { kind: 'include', path: inc[3], start: inc[1].length + 1, end: inc[0].length - 1 };
  }
  // Find the name token around the character.
  for (let i = 0; i < text.length; ) {
    if (text[i] === '#') break;
    if (text[i] === "'" || text[i] === '"') {
      const q = text[i];
      const close = text.indexOf(q, i + 1);
      i = close < 0 ? text.length : close + 1;
      continue;
    }
    NAME.lastIndex = i;
    const m = /[A-Za-z_]/.test(text[i]) && (i === 0 || !/[\w.]/.test(text[i - 1])) ? NAME.exec(text) : null;
    if (!m) {
      i++;
      continue;
    }
    const start = i;
    const end = i + m[0].length;
    i = end;
    if (character < start || character > end) continue;
    const prev = text[start - 1];
    const word = m[0];
    if (prev === '@') return { kind: 'reference', selector: word.split('/').pop()!, start, end };
    if (prev === '%') return { kind: 'macro', name: word, start, end };
    const rest = text.slice(end);
    const leftOfEquals = /^\s*=/.test(rest) && text.slice(0, start).trim() === '';
    const header = /^\s*:\s*(#.*)?$/.test(rest) && start === 0;
    if (header) return { kind: 'configurable', selector: word.split('/').pop()!, start, end };
    if (!leftOfEquals) return undefined;
    const block = blockSelector(lines, line);
    if (block && !word.includes('.')) return { kind: 'param', selector: block.split('/').pop()!, param: word, start, end };
    const unscoped = word.split('/').pop()!;
    const dot = unscoped.lastIndexOf('.');
    if (dot < 0) return { kind: 'macro', name: word, start, end };
    const scopeLen = word.length - unscoped.length;
    const selector = unscoped.slice(0, dot);
    if (character <= start + scopeLen + dot) return { kind: 'configurable', selector, start: start + scopeLen, end: start + scopeLen + dot };
    return { kind: 'param', selector, param: unscoped.slice(dot + 1), start: start + scopeLen + dot + 1, end };
  }
  return undefined;
}
