/**
 * Layer 1 of the syntax: the lexer. Token kinds follow Python's tokenizer as Gin uses it.
 * A selector (`scope/mod.fn.param`) is lexed greedily as ONE token so that whitespace inside
 * it cannot go unnoticed; its shape is validated by the visitor (`a..b` is a syntax error).
 */
import { createToken, Lexer, TokenType } from './chevrotain';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\f]+/, group: Lexer.SKIPPED, start_chars_hint: [' ', '\t', '\f'], line_breaks: false });
/** A backslash at the end of a line joins it with the next one. */
export const LineContinuation = createToken({ name: 'LineContinuation', pattern: /\\\r?\n/, group: 'continuations', line_breaks: true, start_chars_hint: ['\\'] });
/** Comments go to their own group: the formatter keeps them. */
export const Comment = createToken({ name: 'Comment', pattern: /#[^\r\n]*/, group: 'comments', start_chars_hint: ['#'], line_breaks: false });
export const Newline = createToken({ name: 'Newline', pattern: /\r?\n|\r/, line_breaks: true, start_chars_hint: ['\r', '\n'] });

// Each token names the characters it can start with and whether it can span lines: the lexer
// then needs no analysis of the regular expressions when it is built (~15 ms at every start).
// test/config-lang/syntax.test.ts checks these hints against Chevrotain's own analysis.
const STRING_START = ['r', 'R', 'u', 'U', "'", '"'];
const NAME_START = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_'];

/**
 * Python string literals with an optional r/u prefix: single, double and triple quoted.
 * An unterminated one is caught by UnterminatedString below to give a clear message.
 */
export const StringLiteral = createToken({
  name: 'StringLiteral',
  label: 'a string',
  pattern: /[rRuU]?(?:'''(?:[^'\\]|\\[\s\S]|'(?!''))*'''|"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""|'(?:[^'\\\r\n]|\\[\s\S])*'|"(?:[^"\\\r\n]|\\[\s\S])*")/,
  line_breaks: true,
  start_chars_hint: STRING_START,
});
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /[rRuU]?(?:'''|"""|'|")/,
  line_breaks: false,
  start_chars_hint: STRING_START,
});

/** Python numbers: 0x/0o/0b ints, decimals, `.5`, `5.`, exponents, `_` separators. */
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  label: 'a number',
  pattern: /0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?/,
  line_breaks: false,
  start_chars_hint: ['.', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
});

/**
 * A (possibly scoped, dotted) name; validated later so that errors can name the selector.
 * After the first character, non-ASCII letters are allowed, as in Gin (`café.x`).
 */
export const Name = createToken({ name: 'Name', label: 'a name', pattern: /[A-Za-z_][A-Za-z0-9_./\u00AA\u00B5\u00BA\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u1FFF\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF]*/, line_breaks: false, start_chars_hint: NAME_START });
export const Import = createToken({ name: 'Import', pattern: /import(?![A-Za-z0-9_./])/, longer_alt: Name, line_breaks: false, start_chars_hint: ['i'] });
export const Include = createToken({ name: 'Include', pattern: /include(?![A-Za-z0-9_./])/, longer_alt: Name, line_breaks: false, start_chars_hint: ['i'] });

export const Equals = createToken({ name: 'Equals', pattern: '=', label: "'='" });
export const Comma = createToken({ name: 'Comma', pattern: ',', label: "','" });
export const Colon = createToken({ name: 'Colon', pattern: ':', label: "':'" });
export const LParen = createToken({ name: 'LParen', pattern: '(', label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: ')', label: "')'" });
export const LBracket = createToken({ name: 'LBracket', pattern: '[', label: "'['" });
export const RBracket = createToken({ name: 'RBracket', pattern: ']', label: "']'" });
export const LCurly = createToken({ name: 'LCurly', pattern: '{', label: "'{'" });
export const RCurly = createToken({ name: 'RCurly', pattern: '}', label: "'}'" });
export const At = createToken({ name: 'At', pattern: '@', label: "'@'" });
export const Percent = createToken({ name: 'Percent', pattern: '%', label: "'%'" });
export const Minus = createToken({ name: 'Minus', pattern: '-', label: "'-'" });

export const allTokens: TokenType[] = [
  WhiteSpace,
  LineContinuation,
  Comment,
  Newline,
  StringLiteral,
  UnterminatedString,
  NumberLiteral,
  Import,
  Include,
  Name,
  Equals,
  Comma,
  Colon,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LCurly,
  RCurly,
  At,
  Percent,
  Minus,
];

// Token validation is checked under Jest (NODE_ENV=test) only: it costs ~15 ms at every start.
export const GinLexer = new Lexer(allTokens, { positionTracking: 'full', ensureOptimizations: true, skipValidations: process.env.NODE_ENV !== 'test' });
