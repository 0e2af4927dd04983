/**
 * `node packages/config-lang/dist/syntax/code_cache.js` (run by `npm run build`): writes
 * Chevrotain's V8 code cache (./chevrotain) after building the lexer and the parser and parsing
 * every kind of statement, good and bad, so that the cache holds every function a parse needs.
 */
import { CODE_CACHE_FILE, writeCodeCache } from './chevrotain';
import { parseSource } from './parse';

const SAMPLE = `# every statement kind, then errors
import a.b.c
import a.b as c
from __gin__ import dynamic_registration
from a.b import c as d
include 'other.gin'
M = %OTHER
s/f.x = [1, -2.5, 0x1F, 1e-3, "s" 'u', r"r", True, None, (1,), {'k': @g, 1: @s/h()}, -%M]
f:
  x = """long
text"""
  y = \\
    2
bad = [1,,]
$ = 1
f.x 1
f.y = -
'unterminated
`;

export function buildCodeCache(): boolean {
  parseSource(SAMPLE, 'sample.gin', { numberTexts: true });
  return writeCodeCache();
}

if (require.main === module) {
  if (buildCodeCache()) process.stdout.write(`wrote ${CODE_CACHE_FILE}\n`);
  else process.stdout.write(`note: could not write ${CODE_CACHE_FILE}; the parser works without it (slower start)\n`);
}
