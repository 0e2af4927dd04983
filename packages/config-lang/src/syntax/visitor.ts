/**
 * Layer 3 of the syntax: the CST visitor. Turns one statement's concrete syntax tree into a
 * Statement with values of the value model (./values) and locations; checks what the grammar
 * leaves open (selector shapes, `[1,,]`, names in value position, literal escapes).
 */
import { CstElement, CstNode, IToken } from './chevrotain';
import { ConfigError, didYouMean } from '../errors';
import { ConfigurableReference, ConfigValue, Dict, Location, MacroReference, REQUIRED, Tuple, valueKey } from '../values';
import { decodeNumber, decodeString, LiteralError } from './literals';
import { BindingStatement, BlockHeader, ImportStatement, Statement } from './statements';

/** Gin's identifiers: an ASCII letter or '_' first, then letters (any script), digits or '_'. */
const IDENT = /^[A-Za-z_][\p{L}\p{N}_]*$/u;
const DOTTED = /^[A-Za-z_][\p{L}\p{N}_]*(?:\.[A-Za-z_][\p{L}\p{N}_]*)*$/u;

type Children = Record<string, CstElement[] | undefined>;

export interface SourceText {
  file: string;
  /** The source split into lines, for the caret in error messages. */
  lines: string[];
}

/** Visits the nodes it needs itself (no Chevrotain visitor class: building one needs the parser). */
export class StatementVisitor {
  constructor(private src: SourceText) {}

  loc(tok: IToken, columnOffset = 0): Location {
    return { file: this.src.file, line: tok.startLine!, column: tok.startColumn! + columnOffset, lineText: this.src.lines[tok.startLine! - 1] };
  }

  /**
   * The first token of a `value` or `entry` node. Every value alternative starts with one of
   * its own tokens ('[', '-', a number, '@', ...), so no deep walk is needed.
   */
  private startToken(node: CstNode): IToken {
    if (node.name === 'entry') return this.startToken((node.children as Children).key![0] as CstNode);
    const inner = node.name === 'value' ? this.alternative(node) : node;
    const ch = inner.children as Children;
    const first = (k: string) => ch[k]?.[0] as IToken | undefined;
    switch (inner.name) {
      case 'list':
        return first('LBracket')!;
      case 'paren':
        return first('LParen')!;
      case 'dict':
        return first('LCurly')!;
      case 'number':
        return first('Minus') ?? first('NumberLiteral')!;
      case 'strings':
        return first('StringLiteral')!;
      case 'constant':
        return first('Name')!;
      case 'reference':
        return first('Minus') ?? first('At')!;
      case 'macro':
        return first('Minus') ?? first('Percent')!;
    }
    throw new Error(`internal: no start token for ${inner.name}`);
  }

  /** The one alternative node under a `value` node. */
  private alternative(node: CstNode): CstNode {
    const c = node.children as Children;
    return (c.list ?? c.paren ?? c.dict ?? c.number ?? c.strings ?? c.constant ?? c.reference ?? c.macro)![0] as CstNode;
  }

  private nodeLoc(node: CstNode): Location {
    return this.loc(this.startToken(node));
  }

  toStatement(cst: CstNode, endLine: number): Statement {
    const c = cst.children as Children;
    const [node] = (c.importStatement ?? c.fromImportStatement ?? c.includeStatement ?? c.bindingStatement) as CstNode[];
    const ch = node.children as Children;
    if (node.name === 'importStatement' || node.name === 'fromImportStatement') return this.importStatement(node, endLine);
    if (node.name === 'includeStatement') {
      const kw = ch.Include![0] as IToken;
      const path = this.strings(ch.StringLiteral as IToken[]);
      return { kind: 'include', path, location: this.loc(kw), endLine };
    }
    const key = ch.Name![0] as IToken;
    const parts = key.image.split('/');
    const last = parts[parts.length - 1];
    const badScope = parts.slice(0, -1).findIndex((p) => !IDENT.test(p));
    if (badScope >= 0 || !DOTTED.test(last)) {
      throw new ConfigError(
        `Malformed scope or selector '${key.image}'.`,
        this.loc(key),
        parts.slice(0, -1).some((p) => p.includes('.'))
          ? "scope names are plain identifiers without dots: 'scope/module.configurable.param = value'"
          : "write '[scope/]configurable.param = value' or 'NAME = value' (identifiers joined by single '.' or '/')",
      );
    }
    const value = this.value(ch.value![0] as CstNode);
    const valueLocation = this.nodeLoc(ch.value![0] as CstNode);
    const scope = parts.slice(0, -1).join('/');
    const dot = last.lastIndexOf('.');
    if (dot < 0) {
      return { kind: 'macro', name: key.image, value, location: this.loc(key), valueLocation, endLine };
    }
    return {
      kind: 'binding',
      scope,
      selector: last.slice(0, dot),
      param: last.slice(dot + 1),
      value,
      location: this.loc(key),
      paramLocation: this.loc(key, key.image.length - (last.length - dot - 1)),
      valueLocation,
      endLine,
    };
  }

  private importStatement(node: CstNode, endLine: number): ImportStatement {
    const ch = node.children as Children;
    const isFrom = node.name === 'fromImportStatement';
    const first = (isFrom ? ch.from![0] : ch.Import![0]) as IToken;
    const mod = ch.module![0] as IToken;
    if (!DOTTED.test(mod.image)) {
      throw new ConfigError(`Malformed module name '${mod.image}' in import.`, this.loc(mod), "write 'import package.module' (names separated by single dots, no '/')");
    }
    let module = mod.image;
    if (isFrom) {
      const member = ch.member![0] as IToken;
      if (!IDENT.test(member.image)) {
        throw new ConfigError(`Invalid name '${member.image}' after 'import': expected one identifier.`, this.loc(member), "write 'from package.module import name [as alias]'");
      }
      module += `.${member.image}`;
    }
    const st: ImportStatement = { kind: 'import', module, location: this.loc(first), endLine };
    const al = ((ch.alias![0] as CstNode).children as Children).name?.[0] as IToken | undefined;
    if (al) {
      if (!IDENT.test(al.image)) throw new ConfigError(`Invalid alias '${al.image}': expected one identifier.`, this.loc(al), "write 'import package.module as name'");
      st.alias = al.image;
    }
    if (isFrom) st.isFrom = true;
    return st;
  }

  /** `[scope/]configurable:` opening a binding block. */
  blockHeader(cst: CstNode): BlockHeader {
    const node = ((cst.children as Children).blockHeader![0]) as CstNode;
    const key = (node.children as Children).Name![0] as IToken;
    const parts = key.image.split('/');
    if (parts.slice(0, -1).some((p) => !IDENT.test(p)) || !DOTTED.test(parts[parts.length - 1])) {
      throw new ConfigError(`Malformed scope or selector '${key.image}' in a block header.`, this.loc(key), "a binding block starts with '[scope/]configurable:' on its own line");
    }
    return { scope: parts.slice(0, -1).join('/'), selector: parts[parts.length - 1], location: this.loc(key) };
  }

  /** One `param = value` line of a binding block. */
  toBlockBinding(cst: CstNode, block: BlockHeader, endLine: number): BindingStatement {
    const c = cst.children as Children;
    const node = c.bindingStatement?.[0] as CstNode | undefined;
    if (!node) {
      const tok = this.firstToken(cst);
      throw new ConfigError(`Expected 'param = value' inside the binding block of '${block.selector}'.`, this.loc(tok), 'a binding block holds one parameter binding per line; blocks do not nest');
    }
    const ch = node.children as Children;
    const key = ch.Name![0] as IToken;
    if (!IDENT.test(key.image)) {
      throw new ConfigError(`Invalid parameter name '${key.image}' in the binding block of '${block.selector}'.`, this.loc(key), `inside a block write 'param = value'; '${key.image} = ...' needs its own line outside the block`);
    }
    return {
      kind: 'binding',
      scope: block.scope,
      selector: block.selector,
      param: key.image,
      value: this.value(ch.value![0] as CstNode),
      location: this.loc(key),
      paramLocation: this.loc(key),
      valueLocation: this.nodeLoc(ch.value![0] as CstNode),
      endLine,
      block,
    };
  }

  private firstToken(node: CstNode): IToken {
    let best: IToken | undefined;
    const walk = (n: CstNode) => {
      for (const list of Object.values(n.children as Children)) {
        for (const el of list ?? []) {
          if ('image' in el) {
            if (!best || el.startOffset < best.startOffset) best = el;
          } else walk(el);
        }
      }
    };
    walk(node);
    return best!;
  }

  value(node: CstNode): ConfigValue {
    const inner = this.alternative(node);
    const ch = inner.children as Children;
    switch (inner.name) {
      case 'list':
        return this.items(ch.items![0] as CstNode, ']').values;
      case 'paren': {
        const { values, commas } = this.items(ch.items![0] as CstNode, ')');
        return values.length === 1 && commas === 0 ? values[0] : new Tuple(values);
      }
      case 'dict':
        return this.dict(ch);
      case 'number': {
        const tok = ch.NumberLiteral![0] as IToken;
        const n = this.literal(tok, () => decodeNumber(tok.image));
        return ch.Minus ? -n : n;
      }
      case 'strings':
        return this.strings(ch.StringLiteral as IToken[]);
      case 'constant': {
        const tok = ch.Name![0] as IToken;
        if (tok.image === 'True') return true;
        if (tok.image === 'False') return false;
        if (tok.image === 'None') return null;
        const near = didYouMean(tok.image, ['True', 'False', 'None']);
        throw new ConfigError(
          `Unknown name '${tok.image}' in a value.`,
          this.loc(tok),
          near && /^(true|false|none)$/i.test(tok.image)
            ? near
            : `quote it for a string ('${tok.image}'), or write @${tok.image} for a configurable reference or %${tok.image} for a macro`,
        );
      }
      case 'reference': {
        const at = ch.At![0] as IToken;
        const name = ch.Name![0] as IToken;
        const parts = this.scopedName(name, 'reference');
        const selector = parts.pop()!;
        return new ConfigurableReference(selector, parts, Boolean(ch.LParen), this.loc(at));
      }
      case 'macro': {
        const pct = ch.Percent![0] as IToken;
        const name = ch.Name![0] as IToken;
        this.scopedName(name, 'macro');
        return name.image === 'gin.REQUIRED' ? REQUIRED : new MacroReference(name.image, this.loc(pct));
      }
    }
    throw new Error(`internal: unknown value node ${inner.name}`);
  }

  /** `@a/b.c/d.e`: scope parts may be dotted here (as in Gin), none may be empty. */
  private scopedName(tok: IToken, what: string): string[] {
    const parts = tok.image.split('/');
    if (!parts.every((p) => DOTTED.test(p))) {
      throw new ConfigError(`Malformed ${what} name '${tok.image}'.`, this.loc(tok), "names are identifiers joined by single '.' or '/', e.g. @scope/module.name");
    }
    return parts;
  }

  private literal<R>(tok: IToken, fn: () => R): R {
    try {
      return fn();
    } catch (e) {
      if (e instanceof LiteralError) {
        // Point at the offending character when it is on the token's first line.
        const before = tok.image.slice(0, e.offset);
        const off = before.includes('\n') ? 0 : e.offset;
        throw new ConfigError(e.message, this.loc(tok, off), e.hint);
      }
      throw e;
    }
  }

  private strings(toks: IToken[]): string {
    let s = '';
    for (const t of toks) s += this.literal(t, () => decodeString(t.image));
    return s;
  }

  /** Checks that commas and elements alternate (Python allows one trailing comma, never `,,`). */
  private sequence(elements: CstNode[], commas: IToken[], closing: string): void {
    const seq: Array<{ offset: number; comma?: IToken }> = [
      ...elements.map((e) => ({ offset: this.startToken(e).startOffset })),
      ...commas.map((t) => ({ offset: t.startOffset, comma: t })),
    ].sort((a, b) => a.offset - b.offset);
    let prevComma = true;
    for (const x of seq) {
      if (x.comma && prevComma) {
        throw new ConfigError(`Unexpected ','; expected a value or '${closing}'.`, this.loc(x.comma), 'remove the extra comma: only one trailing comma is allowed, after an element');
      }
      prevComma = Boolean(x.comma);
    }
  }

  private items(node: CstNode, closing: string): { values: ConfigValue[]; commas: number } {
    const ch = node.children as Children;
    const els = (ch.value ?? []) as CstNode[];
    const commas = (ch.Comma ?? []) as IToken[];
    this.sequence(els, commas, closing);
    return { values: els.map((e) => this.value(e)), commas: commas.length };
  }

  private dict(ch: Children): Dict {
    const entries = (ch.entry ?? []) as CstNode[];
    this.sequence(entries, (ch.Comma ?? []) as IToken[], '}');
    const out: Array<[ConfigValue, ConfigValue]> = [];
    const index = new Map<string, number>();
    for (const e of entries) {
      const ec = e.children as Children;
      const keyNode = ec.key![0] as CstNode;
      const k = this.value(keyNode);
      if (Array.isArray(k) || k instanceof Dict) {
        throw new ConfigError(`Unhashable dict key: a ${Array.isArray(k) ? 'list' : 'dict'} cannot be a key.`, this.nodeLoc(keyNode), 'use a tuple, a string or a number as the key');
      }
      const v = this.value(ec.val![0] as CstNode);
      const id = valueKey(k);
      // As in Python: a repeated key keeps its first position and takes the last value.
      if (index.has(id)) out[index.get(id)!][1] = v;
      else {
        index.set(id, out.length);
        out.push([k, v]);
      }
    }
    return new Dict(out);
  }
}
