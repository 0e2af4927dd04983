import {
  ConfigurableReference,
  ConfigError,
  Dict,
  MacroReference,
  parseSource,
  REQUIRED,
  Statement,
  toJSONValue,
  Tuple,
} from '@cgan/config-lang';

function parseOk(src: string): Statement[] {
  const r = parseSource(src, 'test.gin');
  if (r.errors.length) throw new Error(r.errors.map((e) => e.format()).join('\n'));
  return r.statements;
}
const value = (src: string) => {
  const [st] = parseOk(`x.y = ${src}`);
  if (st.kind !== 'binding') throw new Error('not a binding');
  return st.value;
};
const json = (src: string) => toJSONValue(value(src));
function parseErr(src: string): ConfigError {
  const r = parseSource(src, 'bad.gin');
  expect(r.errors.length).toBeGreaterThan(0);
  return r.errors[0];
}

describe('statements', () => {
  test('bindings: plain, module-qualified, scoped and nested scopes', () => {
    const sts = parseOk(['a.b = 1', 'resnet_biggan.Generator.hierarchical_z = True', 'gen/fn.x = 2', 'a/b/mod.fn.y = 3'].join('\n'));
    expect(sts.map((s) => (s.kind === 'binding' ? [s.scope, s.selector, s.param] : null))).toEqual([
      ['', 'a', 'b'],
      ['', 'resnet_biggan.Generator', 'hierarchical_z'],
      ['gen', 'fn', 'x'],
      ['a/b', 'mod.fn', 'y'],
    ]);
  });

  test('macros, scoped macros, imports and includes', () => {
    const sts = parseOk("NAME = 5\nscope/M = 'x'\nimport a.b.c\ninclude 'other.gin'\ninclude \"dir/\" 'x.gin'");
    expect(sts[0]).toMatchObject({ kind: 'macro', name: 'NAME', value: 5 });
    expect(sts[1]).toMatchObject({ kind: 'macro', name: 'scope/M', value: 'x' });
    expect(sts[2]).toMatchObject({ kind: 'import', module: 'a.b.c' });
    expect(sts[3]).toMatchObject({ kind: 'include', path: 'other.gin' });
    expect(sts[4]).toMatchObject({ kind: 'include', path: 'dir/x.gin' });
  });

  test('locations: 1-based line and column of the statement, parameter and value', () => {
    const [st] = parseOk('# comment\n  gen/fn.param = [1]');
    expect(st.location).toMatchObject({ file: 'test.gin', line: 2, column: 3, lineText: '  gen/fn.param = [1]' });
    if (st.kind !== 'binding') throw new Error();
    expect(st.paramLocation.column).toBe(10);
    expect(st.valueLocation.column).toBe(18);
  });

  test('comments, blank lines, backslash continuation and newlines inside brackets', () => {
    const sts = parseOk(['# top', '', 'a.b = \\', '  3  # trailing', 'c.d = [1,  # one', '   # inside', '   2,', ']', 'e.f = {', "  'k': (1,", '  2)}'].join('\n'));
    expect(sts.map((s) => (s.kind === 'binding' ? toJSONValue(s.value) : null))).toEqual([3, [1, 2], { $dict: [['k', { $tuple: [1, 2] }]] }]);
    expect(sts[1].endLine).toBe(8);
  });

  test('an empty file or one with only comments has no statements', () => {
    expect(parseOk('')).toEqual([]);
    expect(parseOk('# only\n\n   # comments\n')).toEqual([]);
  });
});

describe('literals', () => {
  test('numbers: ints, floats, exponents, negatives, leading dot, separators, bases', () => {
    expect(value('42')).toBe(42);
    expect(value('-5')).toBe(-5);
    expect(value('.5')).toBe(0.5);
    expect(value('5.')).toBe(5);
    expect(value('1e-4')).toBe(1e-4);
    expect(value('-2.5E+3')).toBe(-2500);
    expect(value('1_000')).toBe(1000);
    expect(value('0x1F')).toBe(31);
    expect(value('0o17')).toBe(15);
    expect(value('0b101')).toBe(5);
    expect(value('0')).toBe(0);
    expect(value('- 3')).toBe(-3);
  });

  test('strings: quotes, escapes, raw strings, triple quotes, adjacent concatenation', () => {
    expect(value("'single'")).toBe('single');
    expect(value('"double"')).toBe('double');
    expect(value(`'it\\'s'`)).toBe("it's");
    expect(value(`"a\\tb\\nc\\\\d\\x41\\u00e9\\101\\q"`)).toBe('a\tb\nc\\dAé' + 'A' + '\\q');
    expect(value(`r'\\n\\d'`)).toBe('\\n\\d');
    expect(value(`'''multi\nline 'quoted' '''`)).toBe("multi\nline 'quoted' ");
    expect(value(`"""a""" 'b' "c"`)).toBe('abc');
    expect(value(`('a'\n 'b')`)).toBe('ab');
    expect(value(`'\\U0001F600'`)).toBe('😀');
  });

  test('True, False, None', () => {
    expect(value('True')).toBe(true);
    expect(value('False')).toBe(false);
    expect(value('None')).toBe(null);
  });

  test('lists, tuples (incl. (1,) and ()), parenthesised values, trailing commas', () => {
    expect(json('[]')).toEqual([]);
    expect(json('[1, 2, 3,]')).toEqual([1, 2, 3]);
    expect(json('()')).toEqual({ $tuple: [] });
    expect(json('(1,)')).toEqual({ $tuple: [1] });
    expect(json('(1, 2,)')).toEqual({ $tuple: [1, 2] });
    expect(json('(1)')).toBe(1);
    expect(json('((1, 2))')).toEqual({ $tuple: [1, 2] });
    expect(value('(1,)')).toBeInstanceOf(Tuple);
  });

  test('dicts with non-string keys; a repeated key keeps its place and takes the last value', () => {
    expect(json("{1: 'a', 'b': 2, (3, 4): None, True: [], }")).toEqual({ $dict: [[1, 'a'], ['b', 2], [{ $tuple: [3, 4] }, null], [true, []]] });
    expect(json("{'a': 1, 'b': 2, 'a': 3}")).toEqual({ $dict: [['a', 3], ['b', 2]] });
    expect(value('{}')).toBeInstanceOf(Dict);
  });

  test('references: @name, @scope/name, @name(), module-qualified, inside containers', () => {
    expect(value('@hinge')).toEqual(expect.objectContaining({ selector: 'hinge', scope: [], evaluate: false }));
    const r = value('@gen/a/loss_lib.hinge()') as ConfigurableReference;
    expect([r.selector, r.scope, r.evaluate]).toEqual(['loss_lib.hinge', ['gen', 'a'], true]);
    expect(r.location).toMatchObject({ line: 1, column: 7 });
    expect(json('[@a, (@b(),), {@c: @d/e}]')).toEqual([
      { $ref: 'a', evaluate: false },
      { $tuple: [{ $ref: 'b', evaluate: true }] },
      { $dict: [[{ $ref: 'c', evaluate: false }, { $ref: 'd/e', evaluate: false }]] },
    ]);
    expect(json('@f ( )')).toEqual({ $ref: 'f', evaluate: true });
  });

  test('macros: %NAME, dotted %a.b, scoped %s/N, %gin.REQUIRED', () => {
    expect(value('%NAME')).toBeInstanceOf(MacroReference);
    expect((value('%a.b') as MacroReference).name).toBe('a.b');
    expect((value('%s/N') as MacroReference).name).toBe('s/N');
    expect(value('%gin.REQUIRED')).toBe(REQUIRED);
    expect(json('[%A, (%B,), {%C: 1}]')).toEqual([{ $macro: 'A' }, { $tuple: [{ $macro: 'B' }] }, { $dict: [[{ $macro: 'C' }, 1]] }]);
  });

  test('deep nesting', () => {
    expect(json('[[[[(({1: [()]},),)]]]]')).toEqual([[[[{ $tuple: [{ $tuple: [{ $dict: [[1, [{ $tuple: [] }]]] }] }] }]]]]);
  });
});

describe('syntax errors name the problem, the place and a fix', () => {
  test.each([
    ['1a = 3', 1, /Malformed selector '1a'/],
    ['a..b = 3', 1, /Malformed scope or selector 'a\.\.b'/],
    ['a//b = 3', 1, /Malformed scope or selector 'a\/\/b'/],
    ['dotted.scope/x.y = 3', 1, /Malformed scope or selector 'dotted\.scope\/x\.y'/],
    ['a.b. = 3', 1, /Malformed scope or selector/],
    ['a.b = [1,,]', 10, /Unexpected ','/],
    ['a.b = [,]', 8, /Unexpected ','/],
    ['a.b = (,)', 8, /Unexpected ','/],
    ['a.b = {1: 2,,}', 13, /Unexpected ','/],
    ['a.b = [1 2]', 10, /Expected '\]', found '2'/],
    ['a.b = (1', 9, /Expected '\)'/],
    ['a.b = {1 2}', 10, /Expected ':'/],
    ['a.b =', 6, /Expected a value, found the end of the line/],
    ['a.b = 1 2', 9, /after the end of the statement/],
    ['a.b = foo', 7, /Unknown name 'foo'/],
    ['a.b = true', 7, /Unknown name 'true'/],
    ['a.b = $x', 7, /Unexpected character '\$'/],
    ['a.b = +5', 7, /Unexpected character '\+'/],
    ["a.b = 'open", 7, /Unterminated string/],
    ['a.b = @f(1)', 10, /Expected '\)'/],
    ['a.b = @a..b', 8, /Malformed reference name/],
    ['a.b = %x//y', 8, /Malformed macro name/],
    ['a.b = 007', 7, /Leading zeros/],
    ["a.b = '\\x4'", 8, /Truncated \\x escape/],
    ["a.b = '\\N{DASH}'", 8, /not supported/],
    ['a.b = {[1]: 2}', 8, /Unhashable dict key/],
    ['a b', 3, /Expected '=' after 'a'/],
    ['include 3', 9, /file path string after 'include'/],
    ['import', 7, /module name after 'import'/],
    ['import a/b', 8, /Malformed module name/],
    ['= 3', 1, /Expected a statement/],
    ['a.b = -"x"', 8, /Expected a number|NumberLiteral/],
  ])('%s', (src, column, message) => {
    const e = parseErr(src);
    expect(e.message).toMatch(message);
    expect(e.location).toMatchObject({ file: 'bad.gin', line: 1, column });
    const text = e.format();
    expect(text.split('\n')[0]).toBe(`bad.gin:1:${column}: error: ${e.message}`);
    expect(text.split('\n')[1]).toBe(`    ${src}`);
    expect(text.split('\n')[2]).toBe(`    ${' '.repeat(column - 1)}^`);
  });

  test('every bad statement is reported, and good ones around it still parse', () => {
    const r = parseSource('a.b = 1\nc..d = 2\ne.f = [1,,]\ng.h = 3\ni.j = $\n', 'm.gin');
    expect(r.errors.map((e) => e.location!.line)).toEqual([2, 3, 5]);
    expect(r.statements.map((s) => s.location.line)).toEqual([1, 4]);
  });

  test('a bad selector is reported before a bad value on the same line', () => {
    expect(parseErr('a..b = [1,,]').message).toMatch(/Malformed scope or selector/);
  });

  test('errors inside multi-line values point at the right line', () => {
    const e = parseErr('a.b = [\n  1,\n  2 3]\n');
    expect(e.location).toMatchObject({ line: 3, column: 5, lineText: '  2 3]' });
  });
});

test('the caret lines up under tab-indented text', () => {
  const e = parseSource('\tx.y = [1,,]', 't.gin').errors[0];
  expect(e.location).toMatchObject({ line: 1, column: 11 });
  expect(e.format().split('\n')[2]).toBe('    \t         ^');
});

test('an unclosed bracket does not swallow the statements after it', () => {
  const r = parseSource('a.b = [1, 2\nc.d = 3\ne.f = (1,\n  2)\ninclude "x.gin"\ng.h = {1: [\nimport m\n', 'u.gin');
  expect(r.errors.map((e) => [e.location!.line, e.message])).toEqual([
    [1, "Expected ']', found the end of the line."],
    [6, "Expected ']', found the end of the line."],
  ]);
  expect(r.statements.map((s) => s.kind + ':' + s.location.line)).toEqual(['binding:2', 'binding:3', 'include:5', 'import:7']);
});

describe('Gin 0.5: binding blocks and import forms', () => {
  const brief = (sts: Statement[]) =>
    sts.map((s) => (s.kind === 'binding' ? `${s.scope ? s.scope + '/' : ''}${s.selector}.${s.param}=${JSON.stringify(toJSONValue(s.value))}@${s.location.line}` : s.kind === 'import' ? `import ${s.module} as=${s.alias ?? ''} from=${Boolean(s.isFrom)}` : s.kind));

  test('a block binds each indented line to its header (scope kept, comments and blank lines free)', () => {
    const src = ['s/m.f:  # header', '', '  # about x', '  x = 1', '  y = [1,', '    2]', 'g.z = 3', '\tt:', '\t\tw = %M'].join('\n');
    expect(brief(parseOk(src))).toEqual(['s/m.f.x=1@4', 's/m.f.y=[1,2]@5', 'g.z=3@7', 't.w={"$macro":"M"}@9']);
  });

  test.each([
    ['f:\n', 2, /Expected an indented block after 'f:'/],
    ['f:\ng.x = 1', 2, /Expected an indented block/],
    ['f:\n  a.b = 1', 2, /Invalid parameter name 'a.b'/],
    ['f:\n  x = 1\n    y = 2', 3, /Unexpected indentation inside a binding block/],
    ['f:\n  g:\n    x = 1', 2, /Expected 'param = value' inside the binding block/],
    ['f: x = 1', 1, /after the end of the statement/],
    ['    a.x = 1\n  b.y = 2', 2, /dedented to a column/],
    ['a.x = 1 \\\n', 1, /ends right after a line continuation/],
  ])('%j is rejected at line %d', (src, line, message) => {
    const e = parseErr(src);
    expect(e.message).toMatch(message);
    expect(e.location?.line).toBe(line);
  });

  test('imports: plain, aliased, from, from-as; keywords stay usable as names', () => {
    const src = ['import a.b.c', 'import a.b as c', 'from a.b import c', 'from __gin__ import dynamic_registration', 'from a import b as d', 'import = 1', 'from = 2', 'k.import = 3'].join('\n');
    const sts = parseOk(src);
    expect(brief(sts.slice(0, 5))).toEqual([
      'import a.b.c as= from=false',
      'import a.b as=c from=false',
      'import a.b.c as= from=true',
      'import __gin__.dynamic_registration as= from=true',
      'import a.b as=d from=true',
    ]);
    expect(sts.slice(5).map((s) => (s.kind === 'macro' ? s.name : s.kind === 'binding' ? s.param : s.kind))).toEqual(['import', 'from', 'import']);
    expect(parseErr('from a import b.c').message).toMatch(/Invalid name 'b.c'/);
    expect(parseErr('import a as b.c').message).toMatch(/Invalid alias/);
  });

  test('Python-only literals are rejected with a message that says so; Gin quirks kept', () => {
    expect(parseErr('a.x = 1j').message).toMatch(/complex numbers are Python-only/);
    expect(parseErr("a.x = b'abc'").message).toMatch(/bytes are Python-only/);
    // Gin's parser drops a '-' before a reference or macro; non-ASCII letters after the first.
    expect(brief(parseOk('r.x = -@f\ncafé.y = -%m'))).toEqual(['r.x={"$ref":"f","evaluate":false}@1', 'café.y={"$macro":"m"}@2']);
  });
});

describe('lexer start-up hints', () => {
  // tokens.ts names each token's first characters and whether it spans lines, so that building
  // the lexer needs no analysis of its regular expressions. The same patterns without the hints
  // (Chevrotain analyses them) must lex every input alike.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { createToken, Lexer } = require('chevrotain') as typeof import('chevrotain');
  const T = require('../../packages/config-lang/src/syntax/tokens') as typeof import('../../packages/config-lang/src/syntax/tokens');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const escape = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
  const plain = new Map<string, import('chevrotain').TokenType>();
  for (const t of T.allTokens) {
    const pattern = typeof t.PATTERN === 'string' ? new RegExp(escape(t.PATTERN)) : (t.PATTERN as RegExp);
    const longer = t.LONGER_ALT as import('chevrotain').TokenType | undefined;
    plain.set(t.name, createToken({ name: t.name, pattern, ...(t.GROUP !== undefined && { group: t.GROUP }), ...(longer && { longer_alt: plain.get(longer.name) }) }));
  }
  const unhinted = new Lexer([...plain.values()], { positionTracking: 'full', ensureOptimizations: true });
  const shape = (r: import('chevrotain').ILexingResult) => ({
    tokens: r.tokens.map((t) => [t.tokenType.name, t.image, t.startOffset, t.startLine, t.startColumn, t.endLine, t.endColumn]),
    groups: Object.fromEntries(Object.entries(r.groups).map(([g, ts]) => [g, ts.map((t) => [t.tokenType.name, t.image, t.startOffset])])),
    errors: r.errors.map((e) => [e.offset, e.length, e.line, e.column]),
  });

  test('every file in gin-configs and the fixtures lexes as without the hints', () => {
    const fs = require('fs') as typeof import('fs'); // eslint-disable-line @typescript-eslint/no-require-imports
    const path = require('path') as typeof import('path'); // eslint-disable-line @typescript-eslint/no-require-imports
    const root = path.resolve(__dirname, '../..');
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else if (e.name.endsWith('.gin')) files.push(path.join(d, e.name));
      }
    };
    walk(path.join(root, 'gin-configs'));
    walk(path.join(__dirname, 'fixtures'));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      expect([f, shape(T.GinLexer.tokenize(text))]).toEqual([f, shape(unhinted.tokenize(text))]);
    }
  });

  test('each character a token can start with (and many it cannot) lexes as without the hints', () => {
    const starts = [];
    for (let c = 0; c < 0x250; c++) starts.push(String.fromCharCode(c));
    starts.push('\u3042', '\uFF21', '\u00E9', '\u2028', '\uFEFF');
    const differ: string[] = [];
    for (const c of starts) {
      for (const text of [`${c}`, `${c}x = 1`, `a.b = ${c}1\n`, `x = [${c}'s', ${c}]\\\n${c}`]) {
        if (JSON.stringify(shape(T.GinLexer.tokenize(text))) !== JSON.stringify(shape(unhinted.tokenize(text)))) differ.push(text);
      }
    }
    expect(differ).toEqual([]);
  });
});
