/**
 * The Gin language server: diagnostics (what `gan config check` reports), completion, hover,
 * go to definition, formatting (`gan config fmt`) and document symbols, over LSP.
 * The configurables it knows are those in the registry when it starts (the `gan lsp` command
 * declares the project's from the configurable manifest) plus any a config's imports load.
 */
import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import {
  CompletionItem,
  CompletionItemKind,
  Connection,
  createConnection,
  Diagnostic,
  DiagnosticSeverity,
  DocumentSymbol,
  Hover,
  Location as LspLocation,
  MarkupKind,
  ProposedFeatures,
  Range,
  StreamMessageReader,
  StreamMessageWriter,
  SymbolKind,
  TextDocuments,
  TextDocumentSyncKind,
  TextEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  ConfigError,
  ConfigurableInfo,
  formatSource,
  formatValueInline,
  ParamInfo,
  registry,
  Statement,
} from '@cgan/config-lang';
import { analyze, Analysis, blockSelector, resolveSelector, targetAt } from './analysis';

const toPath = (uri: string) => (uri.startsWith('file:') ? fileURLToPath(uri) : uri);
const toUri = (file: string) => pathToFileURL(path.resolve(file)).href;

/** Options of startServer; the default transport is stdin/stdout. */
export interface ServerOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/** Starts the server; resolves when the client closes the connection. */
export function startServer(opts: ServerOptions = {}): Promise<void> {
  const connection = createConnection(
    ProposedFeatures.all,
    new StreamMessageReader(opts.input ?? process.stdin),
    new StreamMessageWriter(opts.output ?? process.stdout),
  );
  // stdout carries the protocol: anything logged goes to the client's log instead.
  console.log = (...a: unknown[]) => connection.console.log(a.join(' '));
  console.warn = (...a: unknown[]) => connection.console.warn(a.join(' '));
  const documents = new TextDocuments(TextDocument);
  new GinServer(connection, documents);
  documents.listen(connection);
  return new Promise((resolve) => {
    connection.onExit(() => resolve());
    connection.listen();
  });
}

class GinServer {
  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
  ) {
    connection.onInitialize(() => ({
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: ['.', '@', '%', '/', "'", '"'] },
        hoverProvider: true,
        definitionProvider: true,
        documentFormattingProvider: true,
        documentSymbolProvider: true,
      },
      serverInfo: { name: 'gin-language-server' },
    }));
    documents.onDidChangeContent((e) => this.schedule(e.document.uri));
    documents.onDidClose((e) => {
      connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
      // Files including it now read it from the disk.
      for (const doc of documents.all()) this.schedule(doc.uri);
    });
    connection.onCompletion((p) => this.complete(p.textDocument.uri, p.position.line, p.position.character));
    connection.onHover((p) => this.hover(p.textDocument.uri, p.position.line, p.position.character));
    connection.onDefinition((p) => this.definition(p.textDocument.uri, p.position.line, p.position.character));
    connection.onDocumentFormatting((p) => this.format(p.textDocument.uri));
    connection.onDocumentSymbol((p) => this.symbols(p.textDocument.uri));
  }

  /** Open documents' text by absolute path: unsaved buffers win over the disk. */
  private buffer = (file: string): string | undefined => this.documents.get(toUri(file))?.getText();

  private analysis(uri: string): Analysis | undefined {
    const doc = this.documents.get(uri);
    if (!doc) return undefined;
    return analyze(path.resolve(toPath(uri)), doc.getText(), this.buffer);
  }

  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  /**
   * Validates a changed document, and every other open one (a change can break or fix the files
   * that include it), once typing pauses.
   */
  private schedule(changed: string): void {
    this.pending.add(changed);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const first = [...this.pending];
      this.pending.clear();
      for (const uri of first) this.validate(uri);
      for (const doc of this.documents.all()) if (!first.includes(doc.uri)) this.validate(doc.uri);
    }, 100);
  }

  private validate(uri: string): void {
    try {
      const a = this.analysis(uri);
      if (!a) return;
      const diagnostics = a.errors.map((e) => this.diagnostic(a, e));
      this.connection.sendDiagnostics({ uri, diagnostics });
    } catch (e) {
      // A bug here must not take the server down: say it in the client's log.
      this.connection.console.error(`gin: validating ${uri} failed: ${e instanceof Error ? e.stack : String(e)}`);
    }
  }

  private diagnostic(a: Analysis, e: ConfigError): Diagnostic {
    const message = e.hint ? `${e.message}\nhint: ${e.hint}` : e.message;
    const loc = e.location;
    const lines = a.text.split(/\r?\n/);
    if (loc && path.resolve(loc.file) === a.file) {
      return { severity: DiagnosticSeverity.Error, range: wordRange(lines, loc.line - 1, loc.column - 1), message, source: 'gin' };
    }
    // An error in an included file is shown on the include that leads there.
    const via = loc && a.includedVia.get(loc.file);
    const where = loc ? `${path.relative(path.dirname(a.file), loc.file)}:${loc.line}:${loc.column}: ` : '';
    const line = via ? via.location.line - 1 : 0;
    return { severity: DiagnosticSeverity.Error, range: Range.create(line, 0, line, (lines[line] ?? '').length), message: `${where}${message}`, source: 'gin' };
  }

  // ---- completion

  private complete(uri: string, line: number, character: number): CompletionItem[] {
    const doc = this.documents.get(uri);
    if (!doc) return [];
    const lines = doc.getText().split(/\r?\n/);
    const before = (lines[line] ?? '').slice(0, character);
    const range = (len: number) => Range.create(line, character - len, line, character);

    const inc = /^\s*include\s+(['"])([^'"]*)$/.exec(before);
    if (inc) return this.includePaths(toPath(uri), inc[2], range(inc[2].length));

    const ref = /@((?:[A-Za-z_][\w.]*\/)*)([A-Za-z_][\w.]*)?$/.exec(before);
    if (ref) return this.configurableItems(ref[2] ?? '', range((ref[2] ?? '').length), false);

    const mac = /%([A-Za-z_][\w./]*)?$/.exec(before);
    if (mac) return this.macroItems(uri, range((mac[1] ?? '').length));

    // Inside a binding block: the block's configurable's parameters.
    const block = blockSelector(lines, line);
    const word = /^\s*([A-Za-z_]\w*)?$/.exec(before);
    if (block && word) return this.paramItems(block.split('/').pop()!, range((word[1] ?? '').length));

    const lhs = /^((?:[A-Za-z_][\w.]*\/)*)([A-Za-z_][\w.]*)?$/.exec(before);
    if (lhs) {
      const typed = lhs[2] ?? '';
      const dot = typed.lastIndexOf('.');
      const items: CompletionItem[] = [];
      if (dot >= 0) items.push(...this.paramItems(typed.slice(0, dot), range(typed.length - dot - 1)));
      items.push(...this.configurableItems(typed, range(typed.length), true));
      if (!lhs[1] && dot < 0) {
        for (const kw of ['import', 'include']) items.push({ label: kw, kind: CompletionItemKind.Keyword, textEdit: TextEdit.replace(range(typed.length), kw + ' ') });
      }
      return items;
    }
    return [];
  }

  private configurableItems(typed: string, range: Range, withDot: boolean): CompletionItem[] {
    const out: CompletionItem[] = [];
    for (const info of registry.all()) {
      const unique = registry.match(info.name).length === 1;
      // Offer the short name when it is unambiguous, the full name always.
      for (const label of new Set([unique ? info.name : info.fullName, info.fullName])) {
        if (typed && !label.startsWith(typed) && !label.toLowerCase().includes(typed.toLowerCase())) continue;
        out.push({
          label,
          kind: info.kind === 'class' ? CompletionItemKind.Class : CompletionItemKind.Function,
          detail: info.fullName,
          documentation: info.doc ? { kind: MarkupKind.Markdown, value: info.doc } : undefined,
          textEdit: TextEdit.replace(range, withDot ? `${label}.` : label),
          filterText: label,
          command: withDot ? { title: 'parameters', command: 'editor.action.triggerSuggest' } : undefined,
        });
      }
    }
    return out;
  }

  private paramItems(selector: string, range: Range): CompletionItem[] {
    const m = registry.match(selector);
    if (m.length !== 1) return [];
    return [...m[0].params.values()].filter((p) => bindable(m[0], p.name)).map((p) => ({
      label: p.name,
      kind: CompletionItemKind.Property,
      detail: `${p.type.name}${p.hasDefault ? ` = ${defaultText(p)}` : ' (required)'}`,
      documentation: p.doc,
      textEdit: TextEdit.replace(range, p.name),
    }));
  }

  private macroItems(uri: string, range: Range): CompletionItem[] {
    const a = this.analysis(uri);
    const names = new Map<string, Statement>();
    for (const st of a?.all ?? []) if (st.kind === 'macro' && !names.has(st.name)) names.set(st.name, st);
    const items: CompletionItem[] = [...names].map(([name, st]) => ({
      label: name,
      kind: CompletionItemKind.Constant,
      detail: st.kind === 'macro' ? formatValueInline(st.value) : undefined,
      textEdit: TextEdit.replace(range, name),
    }));
    items.push({ label: 'gin.REQUIRED', kind: CompletionItemKind.Constant, detail: 'the caller must pass this parameter', textEdit: TextEdit.replace(range, 'gin.REQUIRED') });
    return items;
  }

  private includePaths(file: string, typed: string, range: Range): CompletionItem[] {
    const dir = path.dirname(file);
    const sub = typed.includes('/') ? typed.slice(0, typed.lastIndexOf('/') + 1) : '';
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(path.join(dir, sub), { withFileTypes: true });
    } catch {
      return [];
    }
    return entries
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .filter((e) => e.isDirectory() || (e.name.endsWith('.gin') && path.join(dir, sub, e.name) !== file))
      .map((e) => ({
        label: sub + e.name + (e.isDirectory() ? '/' : ''),
        kind: e.isDirectory() ? CompletionItemKind.Folder : CompletionItemKind.File,
        textEdit: TextEdit.replace(range, sub + e.name + (e.isDirectory() ? '/' : '')),
      }));
  }

  // ---- hover and definition

  private hover(uri: string, line: number, character: number): Hover | null {
    const a = this.analysis(uri);
    if (!a) return null;
    const lines = a.text.split(/\r?\n/);
    const t = targetAt(lines, line, character);
    if (!t) return null;
    const range = Range.create(line, t.start, line, t.end);
    const md = (value: string): Hover => ({ contents: { kind: MarkupKind.Markdown, value }, range });
    if (t.kind === 'configurable' || t.kind === 'reference') {
      const m = registry.match(t.selector);
      if (m.length !== 1) return null;
      return md(describeConfigurable(m[0]));
    }
    if (t.kind === 'param') {
      const m = registry.match(t.selector);
      const p = m.length === 1 ? m[0].params.get(t.param) : undefined;
      const parts: string[] = [];
      if (p) {
        parts.push(`\`${m[0].fullName}.${p.name}\`: \`${p.type.name}\`${p.hasDefault ? `, default \`${defaultText(p)}\`` : ', required'}`);
        if (p.doc) parts.push(p.doc);
      } else parts.push(`\`${t.selector}.${t.param}\``);
      const full = resolveSelector(t.selector);
      const others = a.all.filter(
        (st) => st.kind === 'binding' && st.param === t.param && resolveSelector(st.selector) === full && !(path.resolve(st.location.file) === a.file && st.location.line === line + 1),
      );
      if (others.length) {
        parts.push(
          'Also bound at:\n' +
            others.map((st) => `- ${path.relative(path.dirname(a.file), st.location.file) || path.basename(st.location.file)}:${st.location.line}: \`${bindingText(st)}\``).join('\n'),
        );
      }
      return md(parts.join('\n\n'));
    }
    if (t.kind === 'macro') {
      const def = a.all.find((st) => st.kind === 'macro' && st.name === t.name);
      if (!def || def.kind !== 'macro') return t.name === 'gin.REQUIRED' ? md('`%gin.REQUIRED`: the caller must pass this parameter') : null;
      const where = path.relative(path.dirname(a.file), def.location.file) || path.basename(def.location.file);
      return md(`\`${t.name} = ${formatValueInline(def.value)}\`\n\nDefined at ${where}:${def.location.line}`);
    }
    if (t.kind === 'include') {
      const found = this.includeTarget(a, t.path);
      return md(found ? `Includes \`${found}\`` : `\`${t.path}\` not found`);
    }
    return null;
  }

  private includeTarget(a: Analysis, p: string): string | undefined {
    const candidate = path.isAbsolute(p) ? p : path.join(path.dirname(a.file), p);
    return this.buffer(candidate) !== undefined || fs.existsSync(candidate) ? candidate : undefined;
  }

  private definition(uri: string, line: number, character: number): LspLocation | null {
    const a = this.analysis(uri);
    if (!a) return null;
    const t = targetAt(a.text.split(/\r?\n/), line, character);
    if (!t) return null;
    const at = (file: string, l: number, c = 0) => LspLocation.create(toUri(file), Range.create(l, c, l, c));
    if (t.kind === 'macro') {
      const def = a.all.find((st) => st.kind === 'macro' && st.name === t.name);
      return def ? at(def.location.file, def.location.line - 1, def.location.column - 1) : null;
    }
    if (t.kind === 'include') {
      const found = this.includeTarget(a, t.path);
      return found ? at(found, 0) : null;
    }
    const m = registry.match(t.selector);
    const src = m.length === 1 ? m[0].source : undefined;
    return src ? at(src.file, src.line - 1) : null;
  }

  // ---- formatting and symbols

  private format(uri: string): TextEdit[] | null {
    const doc = this.documents.get(uri);
    if (!doc) return null;
    const text = doc.getText();
    let out: string;
    try {
      out = formatSource(text, toPath(uri));
    } catch {
      return null; // does not parse: the diagnostics say why
    }
    return out === text ? [] : [TextEdit.replace(Range.create(0, 0, doc.lineCount, 0), out)];
  }

  private symbols(uri: string): DocumentSymbol[] {
    const a = this.analysis(uri);
    if (!a) return [];
    const lines = a.text.split(/\r?\n/);
    const out: DocumentSymbol[] = [];
    const groups = new Map<string, DocumentSymbol>();
    for (const st of a.own) {
      const l = st.location.line - 1;
      const end = Math.max(l, (st.endLine ?? st.location.line) - 1);
      const range = Range.create(l, 0, end, (lines[end] ?? '').length);
      const sel = Range.create(l, st.location.column - 1, l, (lines[l] ?? '').length);
      switch (st.kind) {
        case 'binding': {
          const key = st.scope ? `${st.scope}/${st.selector}` : st.selector;
          let g = groups.get(key);
          if (!g) {
            g = { name: key, kind: SymbolKind.Class, range, selectionRange: sel, children: [] };
            groups.set(key, g);
            out.push(g);
          } else g.range = Range.create(g.range.start, range.end.line >= g.range.end.line ? range.end : g.range.end);
          g.children!.push({ name: st.param, detail: formatValueInline(st.value), kind: SymbolKind.Property, range, selectionRange: sel });
          break;
        }
        case 'macro':
          out.push({ name: st.name, detail: formatValueInline(st.value), kind: SymbolKind.Constant, range, selectionRange: sel });
          break;
        case 'import':
          out.push({ name: st.module, detail: 'import', kind: SymbolKind.Module, range, selectionRange: sel });
          break;
        case 'include':
          out.push({ name: st.path, detail: 'include', kind: SymbolKind.File, range, selectionRange: sel });
          break;
        default: {
          // A statement kind this server does not know yet: listed by its kind.
          const kind = (st as { kind: string }).kind;
          out.push({ name: kind, kind: SymbolKind.Object, range, selectionRange: sel });
        }
      }
    }
    return out;
  }
}

function bindable(info: ConfigurableInfo, name: string): boolean {
  return (!info.allowlist || info.allowlist.includes(name)) && !info.denylist?.includes(name);
}

function defaultText(p: ParamInfo): string {
  try {
    return formatValueInline(p.default as never);
  } catch {
    return `<${typeof p.default}>`;
  }
}

function describeConfigurable(info: ConfigurableInfo): string {
  const out = [`**${info.fullName}** (${info.kind})`];
  if (info.doc) out.push(info.doc);
  const params = [...info.params.values()].filter((p) => bindable(info, p.name));
  if (params.length) {
    out.push(params.map((p) => `- \`${p.name}\`: \`${p.type.name}\`${p.hasDefault ? ` = \`${defaultText(p)}\`` : ' (required)'}${p.doc ? ` — ${p.doc}` : ''}`).join('\n'));
  }
  if (info.source) out.push(`Defined in ${path.basename(info.source.file)}:${info.source.line}`);
  return out.join('\n\n');
}

function bindingText(st: Statement): string {
  if (st.kind !== 'binding') return '';
  return `${st.selector}.${st.param} = ${formatValueInline(st.value)}`;
}

/** The range of the word (or the rest of the line) starting at a 0-based line and column. */
function wordRange(lines: string[], line: number, col: number): Range {
  const text = lines[line] ?? '';
  const m = /^[\w.\/@%]+/.exec(text.slice(col));
  const end = m ? col + m[0].length : Math.max(col + 1, text.length);
  return Range.create(line, col, line, Math.min(Math.max(end, col + 1), Math.max(text.length, col + 1)));
}
