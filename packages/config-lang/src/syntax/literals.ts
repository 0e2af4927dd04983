/**
 * Python literal decoding (strings with escapes, numbers) and encoding (repr-like printing),
 * shared by the visitor and the printer so that printing then parsing gives the same value.
 */

const SIMPLE_ESCAPES: Record<string, string> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** Thrown with the offset (inside the literal) of the bad escape; the visitor adds the location. */
export class LiteralError extends Error {
  constructor(message: string, readonly offset: number, readonly hint?: string) {
    super(message);
  }
}

/** Decodes one Python string literal token (prefix and quotes included). */
export function decodeString(token: string): string {
  let i = 0;
  let raw = false;
  while (/[rRuU]/.test(token[i])) {
    if (token[i] === 'r' || token[i] === 'R') raw = true;
    i++;
  }
  const q = token.startsWith('"""', i) || token.startsWith("'''", i) ? 3 : 1;
  const body = token.slice(i + q, token.length - q);
  const base = i + q;
  if (raw || !body.includes('\\')) return body;
  let out = '';
  for (let j = 0; j < body.length; j++) {
    const c = body[j];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[j + 1];
    if (e in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[e];
      j++;
    } else if (e >= '0' && e <= '7') {
      const m = /^[0-7]{1,3}/.exec(body.slice(j + 1))![0];
      out += String.fromCodePoint(parseInt(m, 8));
      j += m.length;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(j + 2, j + 2 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) {
        throw new LiteralError(`Truncated \\${e} escape in string: it needs exactly ${n} hex digits.`, base + j, `write e.g. '\\${e}${'0'.repeat(n - 1)}a'`);
      }
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) throw new LiteralError(`Illegal Unicode character \\${e}${hex} in string.`, base + j);
      out += String.fromCodePoint(cp);
      j += 1 + n;
    } else if (e === 'N') {
      throw new LiteralError('\\N{...} named Unicode escapes are not supported (they need Python\'s Unicode name database).', base + j, 'use a \\u escape or the character itself');
    } else {
      // Python keeps unknown escapes as they are (backslash included).
      out += '\\';
    }
  }
  return out;
}

/** Decodes a Python number literal (without sign). Returns a float or an int as a JS number. */
export function decodeNumber(token: string): number {
  const s = token.replace(/_/g, '');
  if (/^0[xX]/.test(s)) return parseInt(s.slice(2), 16);
  if (/^0[oO]/.test(s)) return parseInt(s.slice(2), 8);
  if (/^0[bB]/.test(s)) return parseInt(s.slice(2), 2);
  if (/^0\d/.test(s) && /^\d+$/.test(s) && !/^0+$/.test(s)) {
    throw new LiteralError(`Leading zeros in decimal integer literals are not permitted: '${token}'.`, 0, `write ${String(Number(s))}, or 0o${s.replace(/^0+/, '')} for an octal integer`);
  }
  return Number(s);
}

/** Prints a string as Python's repr would (single quotes unless the text has some and no double). */
export function encodeString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + quote;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if ((cp >= 0xd800 && cp <= 0xdfff) || cp === 0x2028 || cp === 0x2029 || (cp >= 0x80 && cp <= 0x9f)) {
      out += '\\u' + cp.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + quote;
}

/** Prints a number so that it parses back to the same double. */
export function encodeNumber(n: number): string {
  if (Number.isNaN(n)) throw new RangeError('NaN has no literal in the configuration language');
  if (n === Infinity) return '1e999';
  if (n === -Infinity) return '-1e999';
  if (Object.is(n, -0)) return '-0.0';
  const a = Math.abs(n);
  if (Number.isInteger(n) || a >= 1e-4) return String(n);
  // Like Python's repr: small floats in scientific notation with a two-digit exponent (1e-05).
  const [mant, exp] = n.toExponential().split('e');
  const e = Number(exp);
  return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}
