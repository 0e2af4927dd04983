/**
 * The syntax driver: lexes a source text, splits the tokens into statements at top-level
 * newlines (newlines inside brackets are insignificant, as in Python), parses each statement
 * and visits it. Every error is collected with its location; one bad statement does not stop
 * the others from being parsed.
 *
 * Indentation follows Python's tokenizer, as Gin's parser does: it only matters for binding
 * blocks (`scope/configurable:` then more-indented `param = value` lines), but a dedent to a
 * column no enclosing line used is an error everywhere, as in Gin.
 */
import { IRecognitionException, IToken, tokenMatcher } from './chevrotain';
import { ConfigError } from '../errors';
import { Location } from '../values';
import { ginParser } from './parser';
import { BlockHeader, CommentToken, Statement } from './statements';
import * as T from './tokens';
import { StatementVisitor } from './visitor';

export interface ParseResult {
  file: string;
  statements: Statement[];
  errors: ConfigError[];
  comments: CommentToken[];
  /** The source lines (after newline normalisation). */
  lines: string[];
}

/**
 * `import m  # loaded from PATH`, as an operative config records where an imported module was
 * loaded from (`from a import b  # loaded from PATH (export b)` when b is an export of a's file).
 */
export const LOADED_FROM = /^#\s*loaded from\s+(\S.*?)(\s+\(export [^()]*\))?\s*$/;

const OPEN = new Set([T.LParen, T.LBracket, T.LCurly]);
const CLOSE = new Set([T.RParen, T.RBracket, T.RCurly]);

/** Parses Gin source text into statements (includes are NOT expanded here; see ../loader). */
export interface ParseOptions {
  /** Record each statement's number literals as written (`numberTexts`), for the formatter. */
  numberTexts?: boolean;
}

export function parseSource(source: string, file = '<string>', opts: ParseOptions = {}): ParseResult {
  const text = source.replace(/\r\n?/g, '\n');
  const lines = text.split('\n');
  const errors: ConfigError[] = [];
  const at = (line: number, column: number): Location => ({ file, line, column, lineText: lines[line - 1] });

  const lexed = T.GinLexer.tokenize(text);
  const badLines = new Set<number>();
  for (const e of lexed.errors) {
    const ch = text.slice(e.offset, e.offset + e.length);
    errors.push(new ConfigError(`Unexpected character '${ch.length > 1 ? ch[0] : ch}'.`, at(e.line!, e.column!), describeBadChar(ch[0])));
    badLines.add(e.line!);
  }
  const comments: CommentToken[] = (lexed.groups.comments ?? []).map((t) => ({ text: t.image, line: t.startLine!, column: t.startColumn! }));
  const commentOnLine = new Map(comments.map((c) => [c.line, c.text]));

  // Split into statements: a newline at bracket depth 0 ends one.
  const groups: IToken[][] = [];
  let cur: IToken[] = [];
  let depth = 0;
  const toks = lexed.tokens;
  for (let i = 0; i < toks.length; i++) {
    const tok = toks[i];
    const type = tok.tokenType;
    if (type === T.Newline) {
      // An unclosed bracket would swallow the rest of the file: a line starting at column 1
      // with `name =`, `import` or `include` cannot be inside a value, so a statement ends here.
      if (depth > 0 && !startsStatement(toks, i + 1)) continue;
      depth = 0;
      if (cur.length) groups.push(cur);
      cur = [];
      continue;
    }
    if (type === T.UnterminatedString) {
      errors.push(new ConfigError('Unterminated string literal.', at(tok.startLine!, tok.startColumn!), 'close the string with the same quote it opens with (triple quotes for text spanning lines)'));
      badLines.add(tok.startLine!);
    }
    if (OPEN.has(type)) depth++;
    else if (CLOSE.has(type) && depth > 0) depth--;
    cur.push(tok);
  }
  if (cur.length) groups.push(cur);

  // A '\' continuing the last line into the end of the file (Python: EOF in multi-line statement).
  const conts = lexed.groups.continuations ?? [];
  const lastCont = conts[conts.length - 1];
  const lastTok = toks[toks.length - 1];
  if (lastCont && (!lastTok || lastTok.startOffset < lastCont.startOffset) && !text.slice(lastCont.endOffset! + 1).trim()) {
    errors.push(new ConfigError("The file ends right after a line continuation '\\'.", at(lastCont.startLine!, lastCont.startColumn!), "remove the trailing '\\' or continue the statement on the next line"));
  }

  const parser = ginParser();
  const visitor = new StatementVisitor({ file, lines });
  const statements: Statement[] = [];
  const indents = [0];
  // A block header waiting for its indented first line, then the open block and its column.
  let pending: { header?: BlockHeader; line: number } | undefined;
  let block: { header?: BlockHeader; level: number } | undefined;
  const expectedIndent = (p: { header?: BlockHeader; line: number }, loc: Location) =>
    new ConfigError(`Expected an indented block after '${p.header ? blockName(p.header) : 'the block header'}:'.`, loc, "indent the block's 'param = value' lines under its header, e.g. '  param = 1'");
  for (let group of groups) {
    const first = group[0].startLine!;
    const last = group[group.length - 1].endLine!;
    const indent = pythonIndent(lines[first - 1], group[0].startColumn!);
    let event: 'indent' | 'dedent' | 'same' = 'same';
    if (indent > indents[indents.length - 1]) {
      indents.push(indent);
      event = 'indent';
    } else if (indent < indents[indents.length - 1]) {
      while (indent < indents[indents.length - 1]) indents.pop();
      event = 'dedent';
      if (indent !== indents[indents.length - 1]) {
        errors.push(new ConfigError('This line is dedented to a column that no enclosing line uses.', at(first, group[0].startColumn!), 'indent it exactly as the lines it belongs with (Python indentation rules)'));
        indents.push(indent);
        badLines.add(first);
      }
    }
    if (pending) {
      if (event !== 'indent') errors.push(expectedIndent(pending, at(first, group[0].startColumn!)));
      block = event === 'indent' ? { header: pending.header, level: indent } : undefined;
      pending = undefined;
    } else if (block && indent < block.level) block = undefined;
    group = keywordsAsNames(group);

    let skip = false;
    for (let l = first; l <= last && !skip; l++) skip = badLines.has(l);
    if (skip) continue;
    if (block && indent > block.level) {
      errors.push(new ConfigError('Unexpected indentation inside a binding block.', at(first, group[0].startColumn!), "indent every 'param = value' line of a block by the same amount"));
      continue;
    }
    parser.input = group;
    const cst = parser.statement();
    if (parser.errors.length) {
      errors.push(syntaxError(parser.errors[0], group, at));
      if (tokenMatcher(group[group.length - 1], T.Colon) && !block) pending = { line: last };
      continue;
    }
    try {
      let st: Statement;
      if (block) {
        if (!block.header) continue; // the header was malformed (reported): skip its lines
        st = visitor.toBlockBinding(cst, block.header, last);
      } else if ((cst.children as Record<string, unknown>).blockHeader) {
        pending = { line: last };
        pending.header = visitor.blockHeader(cst);
        continue;
      } else st = visitor.toStatement(cst, last);
      if (st.kind === 'import') {
        const from = LOADED_FROM.exec(commentOnLine.get(last) ?? '');
        if (from) st.loadedFrom = { file: from[1], ...(from[2] && { member: true }) };
      }
      if (opts.numberTexts && (st.kind === 'binding' || st.kind === 'macro')) {
        const nums = group.filter((t) => t.tokenType === T.NumberLiteral).map((t) => t.image);
        if (nums.length) st.numberTexts = nums;
      }
      statements.push(st);
    } catch (e) {
      if (e instanceof ConfigError) errors.push(e);
      else throw e;
    }
  }
  if (pending) errors.push(expectedIndent(pending, at(pending.line + 1, 1)));
  errors.sort((a, b) => a.location!.line - b.location!.line || a.location!.column - b.location!.column);
  return { file, statements, errors, comments, lines };
}

const blockName = (h: BlockHeader) => (h.scope ? `${h.scope}/${h.selector}` : h.selector);

/** The indentation width of a line before `column`, as Python's tokenizer counts it (tabs to 8). */
function pythonIndent(line: string, column: number): number {
  let w = 0;
  for (const ch of line.slice(0, column - 1)) {
    if (ch === '\t') w = (Math.floor(w / 8) + 1) * 8;
    else if (ch === '\f') w = 0;
    else w++;
  }
  return w;
}

/** `import = 1`, `include: ...`: before '=' or ':' the keywords are plain names, as in Gin. */
function keywordsAsNames(group: IToken[]): IToken[] {
  const [t0, t1] = group;
  if ((t0.tokenType === T.Import || t0.tokenType === T.Include) && t1 && (t1.tokenType === T.Equals || t1.tokenType === T.Colon)) {
    return [{ ...t0, tokenType: T.Name, tokenTypeIdx: T.Name.tokenTypeIdx! }, ...group.slice(1)];
  }
  return group;
}

function startsStatement(toks: IToken[], i: number): boolean {
  const t = toks[i];
  if (!t || t.startColumn !== 1) return false;
  if (t.tokenType === T.Import || t.tokenType === T.Include) return true;
  return t.tokenType === T.Name && toks[i + 1]?.tokenType === T.Equals;
}

function describeBadChar(c: string): string {
  if (c === '$' || c === '!' || c === '?' || c === '`') return `'${c}' has no meaning in the configuration language; quote it inside a string`;
  if (c === '+') return "numbers take no '+' sign; write 5 rather than +5";
  if (c === '\\') return 'a backslash outside a string must be the last character of its line (line continuation)';
  return 'values are numbers, strings, True/False/None, lists, tuples, dicts, @references and %macros';
}

/** `1j` (complex) and `b'..'` (bytes) are Python literals with no counterpart here: say so. */
function pythonOnlyLiteral(group: IToken[], at: (line: number, col: number) => Location): ConfigError | undefined {
  for (let i = 0; i + 1 < group.length; i++) {
    const [a, b] = [group[i], group[i + 1]];
    if (b.startOffset !== a.endOffset! + 1) continue;
    if (a.tokenType === T.NumberLiteral && b.tokenType === T.Name && /^[jJ]$/.test(b.image)) {
      return new ConfigError(`Complex number literal '${a.image}${b.image}': complex numbers are Python-only and have no value here.`, at(a.startLine!, a.startColumn!), 'use a float, or a (real, imaginary) tuple your configurable understands');
    }
    if (a.tokenType === T.Name && /^(?:[bB][rR]?|[rR][bB])$/.test(a.image) && b.tokenType === T.StringLiteral) {
      return new ConfigError(`Bytes literal ${a.image}${b.image}: bytes are Python-only and have no value here.`, at(a.startLine!, a.startColumn!), 'write a plain string instead');
    }
  }
  return undefined;
}

const show = (t: IToken) => (tokenMatcher(t, T.StringLiteral) ? 'a string' : `'${t.image}'`);

/** Turns a Chevrotain recognition error into a located ConfigError with a plain-words message. */
function syntaxError(e: IRecognitionException, group: IToken[], at: (line: number, col: number) => Location): ConfigError {
  const tok = e.token;
  const eof = tok.tokenType === undefined || tok.image === '' || Number.isNaN(tok.startOffset);
  const lastTok = group[group.length - 1];
  const loc = eof ? at(lastTok.endLine!, lastTok.endColumn! + 1) : at(tok.startLine!, tok.startColumn!);
  const found = eof ? 'the end of the line' : show(tok);
  const rule = e.context.ruleStack[e.context.ruleStack.length - 1];
  const [t0, t1] = group;

  const pythonOnly = pythonOnlyLiteral(group, at);
  if (pythonOnly) return pythonOnly;
  if (e.name === 'NotAllInputParsedException') {
    return new ConfigError(`Unexpected ${found} after the end of the statement; expected a newline.`, loc, "put each statement on its own line; continue a long one inside brackets or with a trailing '\\'");
  }
  if (rule === 'includeStatement') {
    return new ConfigError(`Expected a file path string after 'include', found ${found}.`, loc, "write include 'other.gin'");
  }
  if (rule === 'fromImportStatement') {
    const what = /--> Import <--/.test(e.message) ? "'import'" : 'a name';
    return new ConfigError(`Expected ${what} in 'from ... import ...', found ${found}.`, loc, "write 'from package.module import name' (optionally '... as alias')");
  }
  if (rule === 'alias') {
    return new ConfigError(`Expected a name after 'as', found ${found}.`, loc, "write 'import package.module as alias'");
  }
  if (rule === 'importStatement') {
    return new ConfigError(`Expected a module name after 'import', found ${found}.`, loc, 'write import package.module');
  }
  if (rule === 'bindingStatement' && e.name === 'MismatchedTokenException' && tokenMatcher(t0, T.Name) && group.length > 1 && !tokenMatcher(group[1], T.Equals)) {
    return new ConfigError(`Expected '=' after '${t0.image}', found ${found}.`, loc, 'a binding is [scope/]configurable.param = value; a macro is NAME = value');
  }
  if (rule === 'statement') {
    if (tokenMatcher(t0, T.NumberLiteral) && t1 && tokenMatcher(t1, T.Name) && t1.startOffset === t0.endOffset! + 1) {
      return new ConfigError(`Malformed selector '${t0.image}${t1.image}': names cannot start with a digit.`, loc, 'a selector is [scope/]configurable.param, made of identifiers (letters, digits and _, not starting with a digit)');
    }
    if (tokenMatcher(t0, T.Include)) return new ConfigError("Expected a file path string after 'include'.", at(t1?.startLine ?? t0.startLine!, t1?.startColumn ?? t0.endColumn! + 1), "write include 'other.gin'");
    if (tokenMatcher(t0, T.Import)) return new ConfigError("Expected a module name after 'import'.", at(t1?.startLine ?? t0.startLine!, t1?.startColumn ?? t0.endColumn! + 1), 'write import package.module');
    if (tokenMatcher(t0, T.Name)) {
      const l = t1 ? at(t1.startLine!, t1.startColumn!) : at(t0.endLine!, t0.endColumn! + 1);
      return new ConfigError(`Expected '=' after '${t0.image}', found ${t1 ? show(t1) : 'the end of the line'}.`, l, 'a binding is [scope/]configurable.param = value; a macro is NAME = value');
    }
    return new ConfigError(`Expected a statement, found ${found}.`, loc, "statements are 'configurable.param = value', 'NAME = value', 'import module' and 'include \"file.gin\"'");
  }
  if (e.name === 'NoViableAltException' && rule === 'value' && !eof && tokenMatcher(tok, T.Minus)) {
    const next = group[group.indexOf(tok) + 1];
    const l = next ? at(next.startLine!, next.startColumn!) : at(tok.endLine!, tok.endColumn! + 1);
    return new ConfigError(`Expected a number after '-', found ${next ? show(next) : 'the end of the line'}.`, l, "a '-' sign must be followed by a number");
  }
  if (e.name === 'NoViableAltException' && rule === 'value') {
    return new ConfigError(`Expected a value, found ${found}.`, loc, 'values are numbers, strings, True/False/None, [lists], (tuples), {dicts}, @references and %macros');
  }
  if (e.name === 'MismatchedTokenException') {
    const m = /Expecting (?:token of type )?--> (.+?) <--/.exec(e.message);
    const names: Record<string, string> = { NumberLiteral: 'a number', StringLiteral: 'a string', Name: 'a name' };
    const expected = m ? names[m[1]] ?? m[1] : 'something else';
    if ((rule === 'reference' || rule === 'macro') && expected === 'a name') {
      return new ConfigError(`Expected a name after '${rule === 'reference' ? '@' : '%'}', found ${found}.`, loc, rule === 'reference' ? 'write @configurable, @scope/configurable or @configurable()' : 'write %MACRO_NAME');
    }
    if (!eof && tokenMatcher(tok, T.Comma) && ['list', 'paren', 'dict'].includes(rule)) {
      return new ConfigError(`Unexpected ','; expected a value or ${expected}.`, loc, 'remove the extra comma: only one trailing comma is allowed, after an element');
    }
    const what: Record<string, string> = {
      items: `elements are separated by ','`,
      list: `the list needs ',' between elements and ']' at its end`,
      paren: `the tuple needs ',' between elements and ')' at its end`,
      dict: `the dict needs ',' between entries and '}' at its end`,
      entry: "a dict entry is key: value",
      reference: "an evaluated reference is written @name() with nothing between the parentheses",
      number: "a '-' sign must be followed by a number",
    };
    return new ConfigError(`Expected ${expected}, found ${found}.`, loc, what[rule]);
  }
  return new ConfigError(`Syntax error: unexpected ${found}.`, loc);
}
