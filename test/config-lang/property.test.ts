import fc from 'fast-check';
import {
  ConfigurableReference,
  ConfigValue,
  Dict,
  formatSource,
  formatValue,
  formatValueInline,
  MacroReference,
  parseSource,
  REQUIRED,
  statementToJSON,
  toJSONValue,
  Tuple,
  valueKey,
} from '@cgan/config-lang';

const ident = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/);
const dotted = fc.array(ident, { minLength: 1, maxLength: 3 }).map((p) => p.join('.'));

const leaf: fc.Arbitrary<ConfigValue> = fc.oneof(
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true }),
  fc.constantFrom(-0, Infinity, -Infinity, 1e-7, 1e21, 5e-324, 0.1),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('a', "'", '"', '\\', '\n', '\t', ' ', '#', 'é', '\u0000', '\u2028'), maxLength: 10 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(REQUIRED as ConfigValue),
  fc.record({ scope: fc.array(dotted, { maxLength: 2 }), sel: dotted, ev: fc.boolean() }).map(({ scope, sel, ev }) => new ConfigurableReference(sel, scope, ev)),
  dotted.map((n) => new MacroReference(n)),
);

const hashable = leaf.filter((v) => v !== REQUIRED);

const { value } = fc.letrec<{ value: ConfigValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(tie('value'), { maxLength: 4 }).map((xs) => new Tuple(xs)),
    fc
      .uniqueArray(fc.tuple(fc.oneof(hashable, fc.array(hashable, { maxLength: 2 }).map((xs) => new Tuple(xs))), tie('value')), {
        maxLength: 4,
        selector: ([k]) => valueKey(k),
      })
      .map((es) => new Dict(es as Array<[ConfigValue, ConfigValue]>)),
  ),
}));

function reparse(text: string): ConfigValue {
  const r = parseSource(`x.y = ${text}`, 'p.gin');
  if (r.errors.length) throw new Error(r.errors.map((e) => e.format()).join('\n'));
  const st = r.statements[0];
  if (st.kind !== 'binding') throw new Error('not a binding');
  return st.value;
}

test('numbers print like Python repr and parse back exactly', () => {
  expect(['1e-05', '0.0001', '1.5e-07', '-2.5e-10', '5e-324', '1e+21', '-0.0', '1e999', '3'].map((s) => formatValueInline(reparse(s)))).toEqual([
    '1e-05',
    '0.0001',
    '1.5e-07',
    '-2.5e-10',
    '5e-324',
    '1e+21',
    '-0.0',
    '1e999',
    '3',
  ]);
});

test('printing any value then parsing it back gives the same value (one line)', () => {
  fc.assert(
    fc.property(value, (v) => {
      expect(toJSONValue(reparse(formatValueInline(v)))).toEqual(toJSONValue(v));
    }),
    { numRuns: 400 },
  );
});

test('printing any value then parsing it back gives the same value (broken over lines)', () => {
  fc.assert(
    fc.property(value, fc.integer({ min: 1, max: 40 }), (v, width) => {
      expect(toJSONValue(reparse(formatValue(v, { width, prefix: 6 })))).toEqual(toJSONValue(v));
    }),
    { numRuns: 300 },
  );
});

// Random Gin files: statements in various layouts, with comments and blank lines.
const comment = fc.string({ unit: fc.constantFrom('a', ' ', '#', "'", '=', '['), maxLength: 8 }).map((s) => `# ${s}`);
const statement = fc.oneof(
  fc.record({ scope: fc.array(ident, { maxLength: 2 }), sel: dotted, param: ident, v: value, w: fc.integer({ min: 1, max: 100 }), sp: fc.constantFrom(' ', '', '   ') }).map(
    ({ scope, sel, param, v, w, sp }) => `${[...scope, sel].join('/')}.${param}${sp}=${sp}${formatValue(v, { width: w })}`,
  ),
  fc.record({ name: ident, v: value }).map(({ name, v }) => `${name.toUpperCase()}_M = ${formatValueInline(v)}`),
  dotted.map((m) => `import ${m}`),
  fc.string({ unit: fc.constantFrom('a', '/', '.', "'"), minLength: 1, maxLength: 8 }).map((p) => `include ${formatValueInline(p)}`),
);
// Layouts Python allows: comments at the ends of lines inside brackets, backslash continuations.
const withInnerComments = fc.tuple(statement, comment).map(([st, c]) =>
  st
    .split('\n')
    .map((l) => (/[,[({]$/.test(l) ? `${l}  ${c}` : l))
    .join('\n'),
);
const continued = statement.map((st) => st.replace(/ = /, ' = \\\n    '));
const line = fc.oneof(
  statement,
  withInnerComments,
  continued,
  fc.tuple(statement, comment).map(([s, c]) => `${s}  ${c}`),
  comment,
  fc.constant(''),
);
const file = fc.array(line, { maxLength: 12 }).map((ls) => ls.join('\n'));

const statementsOf = (src: string) => {
  const r = parseSource(src, 'f.gin');
  if (r.errors.length) throw new Error(r.errors.map((e) => e.format()).join('\n'));
  return r.statements.map((s) => {
    const j = statementToJSON(s);
    delete j.location;
    return j;
  });
};

test('fmt is idempotent, keeps every statement and every comment', () => {
  fc.assert(
    fc.property(file, (src) => {
      const once = formatSource(src, 'f.gin');
      expect(formatSource(once, 'f.gin')).toBe(once);
      expect(statementsOf(once)).toEqual(statementsOf(src));
      const comments = (s: string) => parseSource(s).comments.map((c) => c.text.trimEnd()).sort();
      expect(comments(once)).toEqual(comments(src));
    }),
    { numRuns: 300 },
  );
});
