/**
 * The TextMate grammar of packages/vscode-gin (also usable by other editors) tokenizes real
 * configs with VS Code's own engine (vscode-textmate + vscode-oniguruma).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

const root = path.resolve(__dirname, '../..');
const ext = path.join(root, 'packages/vscode-gin');
const grammarFile = path.join(ext, 'syntaxes/gin.tmLanguage.json');
let grammar: vsctm.IGrammar;

beforeAll(async () => {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) => (scope === 'source.gin' ? vsctm.parseRawGrammar(fs.readFileSync(grammarFile, 'utf8'), grammarFile) : null),
  });
  grammar = (await registry.loadGrammar('source.gin'))!;
});

/** [text, innermost scope] of every token of every line. */
function tokenize(text: string): Array<Array<[string, string]>> {
  let stack = vsctm.INITIAL;
  return text.split('\n').map((line) => {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    return r.tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes[t.scopes.length - 1]] as [string, string]);
  });
}
const scopeOf = (lines: Array<Array<[string, string]>>, line: number, text: string) => lines[line].find(([t]) => t === text)?.[1];

function ginFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? ginFiles(path.join(dir, e.name)) : e.name.endsWith('.gin') ? [path.join(dir, e.name)] : []));
}

test('every non-blank character of every config in gin-configs/ gets a Gin scope', () => {
  const files = ginFiles(path.join(root, 'gin-configs'));
  expect(files.length).toBeGreaterThan(10);
  let tokens = 0;
  for (const f of files) {
    const lines = tokenize(fs.readFileSync(f, 'utf8'));
    lines.forEach((toks, i) => {
      for (const [text, scope] of toks) {
        if (!text.trim()) continue;
        tokens++;
        expect([path.relative(root, f), i + 1, text, scope]).not.toEqual([path.relative(root, f), i + 1, text, 'source.gin']);
      }
    });
  }
  expect(tokens).toBeGreaterThan(1000);
});

test('statements, values, references, macros and comments get their scopes', () => {
  const lines = tokenize(
    [
      '# a comment',
      "include 'base.gin'",
      'import compare_gan.gans',
      'from my.losses import focal as f',
      'gen/resnet5.Generator.ch = 64  # width',
      "ModularGAN.g_optimizer_fn = @tf.train.AdamOptimizer",
      'LR = 2e-4',
      'x.y = [%LR, @d/fn(), None, True, "s\\n", -0.5]',
      'ModularGAN:',
      '  g_lr = 1',
    ].join('\n'),
  );
  expect(lines[0][0][1]).toBe('punctuation.definition.comment.gin');
  expect(scopeOf(lines, 1, 'include')).toBe('keyword.control.import.include.gin');
  expect(scopeOf(lines, 1, 'base.gin')).toBe('string.quoted.single.gin');
  expect(scopeOf(lines, 2, 'import')).toBe('keyword.control.import.gin');
  expect(scopeOf(lines, 2, 'compare_gan.gans')).toBe('entity.name.namespace.gin');
  expect(scopeOf(lines, 3, 'from')).toBe('keyword.control.import.from.gin');
  expect(scopeOf(lines, 3, 'as')).toBe('keyword.control.import.as.gin');
  expect(scopeOf(lines, 4, 'gen/')).toBe('entity.name.namespace.scope.gin');
  expect(scopeOf(lines, 4, 'resnet5.Generator')).toBe('entity.name.function.configurable.gin');
  expect(scopeOf(lines, 4, 'ch')).toBe('variable.parameter.gin');
  expect(scopeOf(lines, 4, '64')).toBe('constant.numeric.gin');
  expect(scopeOf(lines, 4, ' width')).toBe('comment.line.number-sign.gin');
  expect(scopeOf(lines, 5, 'tf.train.AdamOptimizer')).toBe('entity.name.function.reference.gin');
  expect(scopeOf(lines, 6, 'LR')).toBe('variable.parameter.gin');
  expect(scopeOf(lines, 6, '2e-4')).toBe('constant.numeric.gin');
  expect(scopeOf(lines, 7, 'LR')).toBe('variable.other.constant.macro.gin');
  expect(scopeOf(lines, 7, 'd/')).toBe('entity.name.namespace.scope.gin');
  expect(scopeOf(lines, 7, '()')).toBe('punctuation.definition.call.gin');
  expect(scopeOf(lines, 7, 'None')).toBe('constant.language.gin');
  expect(scopeOf(lines, 7, '\\n')).toBe('constant.character.escape.gin');
  expect(scopeOf(lines, 7, '-0.5')).toBe('constant.numeric.gin');
  expect(scopeOf(lines, 8, 'ModularGAN')).toBe('entity.name.function.configurable.gin');
  expect(scopeOf(lines, 9, 'g_lr')).toBe('variable.parameter.gin');
});

test('the extension manifest points at the grammar and the language configuration', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ext, 'package.json'), 'utf8'));
  const lang = pkg.contributes.languages[0];
  expect(lang).toMatchObject({ id: 'gin', extensions: ['.gin'] });
  expect(JSON.parse(fs.readFileSync(path.join(ext, lang.configuration), 'utf8')).comments.lineComment).toBe('#');
  expect(pkg.contributes.grammars[0]).toMatchObject({ language: 'gin', scopeName: 'source.gin' });
  expect(path.resolve(ext, pkg.contributes.grammars[0].path)).toBe(grammarFile);
  expect(fs.existsSync(path.join(ext, pkg.main))).toBe(true);
});
