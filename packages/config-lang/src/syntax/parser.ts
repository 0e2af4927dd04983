/**
 * Layer 2 of the syntax: the grammar, as a Chevrotain CstParser. It parses ONE statement at a
 * time (the driver in ./parse splits the token stream at top-level newlines), which keeps
 * error recovery simple: a bad statement is reported and the next one is parsed normally.
 * `from` and `as` are plain names (Gin allows `from = 1`); `import` and `include` are keywords
 * that the driver turns back into names before '=' or ':' (`import = 1` is a macro).
 * The lines of a binding block are `Name '=' value` statements; the driver knows the block.
 *
 *   statement  := 'import' Name ['as' Name] | 'from' Name 'import' Name ['as' Name]
 *               | 'include' String+ | Name ':' (a block header) | Name '=' value
 *   value      := list | paren | dict | number | strings | constant | reference | macro
 *   list       := '[' items ']'          paren := '(' items ')'
 *   items      := [ value { ',' [ value ] } ]     (empty items are rejected by the visitor)
 *   dict       := '{' [ entry { ',' [ entry ] } ] '}'      entry := value ':' value
 *   number     := ['-'] Number           strings := String+     constant := Name
 *   reference  := ['-'] '@' Name [ '(' ')' ]   macro := ['-'] '%' Name   (Gin ignores the '-')
 */
import { CstNode, CstParser } from './chevrotain';
import * as T from './tokens';

export class GinParser extends CstParser {
  constructor() {
    // Grammar validation costs ~20 ms at every start: done under Jest (NODE_ENV=test) only.
    super(T.allTokens, { nodeLocationTracking: 'none', maxLookahead: 2, skipValidations: process.env.NODE_ENV !== 'test' });
    this.performSelfAnalysis();
  }

  public statement = this.RULE('statement', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.importStatement) },
      { GATE: () => this.LA(1).image === 'from', ALT: () => this.SUBRULE(this.fromImportStatement) },
      { ALT: () => this.SUBRULE(this.includeStatement) },
      { ALT: () => this.SUBRULE(this.blockHeader) },
      { ALT: () => this.SUBRULE(this.bindingStatement) },
    ]);
  });

  public importStatement = this.RULE('importStatement', () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.Name, { LABEL: 'module' });
    this.SUBRULE(this.alias);
  });

  public fromImportStatement = this.RULE('fromImportStatement', () => {
    this.CONSUME(T.Name, { LABEL: 'from' });
    this.CONSUME2(T.Name, { LABEL: 'module' });
    this.CONSUME(T.Import);
    this.CONSUME3(T.Name, { LABEL: 'member' });
    this.SUBRULE(this.alias);
  });

  /** `as NAME`, optional. */
  public alias = this.RULE('alias', () => {
    this.OPTION({
      GATE: () => this.LA(1).image === 'as',
      DEF: () => {
        this.CONSUME(T.Name, { LABEL: 'as' });
        this.CONSUME2(T.Name, { LABEL: 'name' });
      },
    });
  });

  public blockHeader = this.RULE('blockHeader', () => {
    this.CONSUME(T.Name);
    this.CONSUME(T.Colon);
  });

  public includeStatement = this.RULE('includeStatement', () => {
    this.CONSUME(T.Include);
    this.AT_LEAST_ONE(() => this.CONSUME(T.StringLiteral));
  });

  public bindingStatement = this.RULE('bindingStatement', () => {
    this.CONSUME(T.Name);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.value);
  });

  public value: () => CstNode = this.RULE('value', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.list) },
      { ALT: () => this.SUBRULE(this.paren) },
      { ALT: () => this.SUBRULE(this.dict) },
      { ALT: () => this.SUBRULE(this.number) },
      { ALT: () => this.SUBRULE(this.strings) },
      { ALT: () => this.SUBRULE(this.constant) },
      { ALT: () => this.SUBRULE(this.reference) },
      { ALT: () => this.SUBRULE(this.macro) },
    ]);
  });

  public list = this.RULE('list', () => {
    this.CONSUME(T.LBracket);
    this.SUBRULE(this.items);
    this.CONSUME(T.RBracket);
  });

  public paren = this.RULE('paren', () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.items);
    this.CONSUME(T.RParen);
  });

  public items = this.RULE('items', () => {
    this.OPTION(() => {
      this.SUBRULE(this.value);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.OPTION2(() => this.SUBRULE2(this.value));
      });
    });
  });

  public dict = this.RULE('dict', () => {
    this.CONSUME(T.LCurly);
    this.OPTION(() => {
      this.SUBRULE(this.entry);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.OPTION2(() => this.SUBRULE2(this.entry));
      });
    });
    this.CONSUME(T.RCurly);
  });

  public entry = this.RULE('entry', () => {
    this.SUBRULE(this.value, { LABEL: 'key' });
    this.CONSUME(T.Colon);
    this.SUBRULE2(this.value, { LABEL: 'val' });
  });

  public number = this.RULE('number', () => {
    this.OPTION(() => this.CONSUME(T.Minus));
    this.CONSUME(T.NumberLiteral);
  });

  public strings = this.RULE('strings', () => {
    this.AT_LEAST_ONE(() => this.CONSUME(T.StringLiteral));
  });

  public constant = this.RULE('constant', () => {
    this.CONSUME(T.Name);
  });

  // Gin's parser drops a '-' before a reference or a macro (`-@f` is `@f`); so do we.
  public reference = this.RULE('reference', () => {
    this.OPTION2(() => this.CONSUME(T.Minus));
    this.CONSUME(T.At);
    this.CONSUME(T.Name);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.CONSUME(T.RParen);
    });
  });

  public macro = this.RULE('macro', () => {
    this.OPTION(() => this.CONSUME(T.Minus));
    this.CONSUME(T.Percent);
    this.CONSUME(T.Name);
  });
}

let instance: GinParser | undefined;
/** The parser is stateless between inputs; building it (self-analysis) is done once. */
export function ginParser(): GinParser {
  return (instance ??= new GinParser());
}
