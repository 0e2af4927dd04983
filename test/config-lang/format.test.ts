import { ConfigErrors, formatSource } from '@cgan/config-lang';

test('canonical spacing, quotes and numbers; statement order kept', () => {
  const src = ['b.y   =[1,2 ,3,]', 'a.x=  "s"', "import   a.b", 'include "x.gin"', 'M=( 1 , )', 'c.z = {1:2, "k" : .5}', 'd.w = 1E-4', 'e.v = @s/f ( )'].join('\n');
  expect(formatSource(src)).toBe(
    ['b.y = [1, 2, 3]', "a.x = 's'", 'import a.b', "include 'x.gin'", 'M = (1,)', "c.z = {1: 2, 'k': .5}", 'd.w = 1E-4', 'e.v = @s/f()', ''].join('\n'),
  );
});

test('number literals keep their spelling; other values are canonical', () => {
  expect(formatSource('a.b = [0.0, 1e-5, 0x1F, - 2.50, 1_000, {1.0: -0.0}]\nM = (1e3,)')).toBe('a.b = [0.0, 1e-5, 0x1F, -2.50, 1_000, {1.0: -0.0}]\nM = (1e3,)\n');
  // A repeated dict key drops a literal: the spelling falls back to the canonical one.
  expect(formatSource("a.b = {1: 2.0, 1: 3.0, 'x': 4.0}")).toBe("a.b = {1: 3, 'x': 4}\n");
});

test('comments are kept: leading, trailing, inside values (moved above), at the end', () => {
  const src = [
    '# Header',
    '#   indented text kept',
    'a.x = 1   # why one',
    '',
    '',
    '',
    '# about b',
    'b.y = [',
    '    1,  # first',
    '    # second',
    '    2,',
    ']  # done',
    '# tail',
  ].join('\n');
  expect(formatSource(src)).toBe(
    ['# Header', '#   indented text kept', 'a.x = 1  # why one', '', '# about b', '# first', '# second', 'b.y = [1, 2]  # done', '# tail', ''].join('\n'),
  );
});

test('long values break one element per line with trailing commas, and stay stable', () => {
  const src = `gen/resnet_biggan.Generator.channels = [${Array.from({ length: 12 }, (_, i) => `'channel_${i}'`).join(', ')}]`;
  const out = formatSource(src);
  expect(out.split('\n')[0]).toBe('gen/resnet_biggan.Generator.channels = [');
  expect(out.split('\n')[1]).toBe("    'channel_0',");
  expect(out.trimEnd().split('\n').pop()).toBe(']');
  expect(formatSource(out)).toBe(out);
  expect(out.split('\n').every((l) => l.length <= 80)).toBe(true);
});

test('backslash continuations are joined', () => {
  expect(formatSource('a.b = \\\n  5\n')).toBe('a.b = 5\n');
});

test('a file that does not parse is not formatted: every error is reported', () => {
  expect(() => formatSource('a.b = [1,,]\nc..d = 1\n', 'x.gin')).toThrow(ConfigErrors);
  try {
    formatSource('a.b = [1,,]\nc..d = 1\n', 'x.gin');
  } catch (e) {
    expect((e as ConfigErrors).errors.map((x) => x.location!.line)).toEqual([1, 2]);
  }
});

test('empty input stays empty', () => {
  expect(formatSource('')).toBe('');
  expect(formatSource('\n\n')).toBe('');
});

test('binding blocks and import forms keep their shape; formatting them is idempotent', () => {
  const src = ['from a.b import c as d', 'import x.y   as z', 's/m.C:  # hdr', '   # about x', '   x = 1', '', '   y = [1,', '     2]  # t', 'z.w = 3', ''].join('\n');
  const out = formatSource(src);
  expect(out).toBe(['from a.b import c as d', 'import x.y as z', 's/m.C:  # hdr', '  # about x', '  x = 1', '', '  y = [1, 2]  # t', 'z.w = 3', ''].join('\n'));
  expect(formatSource(out)).toBe(out);
});
