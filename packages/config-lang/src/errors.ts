import { Location } from './values';

/**
 * Every user-facing configuration error: a message, where it happened, and what would fix it.
 * `format()` renders `FILE:LINE:COL: error: message`, the source line, a caret, then the hint.
 */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly location?: Location,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }

  format(): string {
    const loc = windowed(this.location);
    const lines: string[] = [];
    const message = this.message.split('\n').map((l) => clipText(l, 400)).join('\n');
    const at = this.location;
    lines.push(at ? `${clipText(at.file)}:${at.line}:${at.column}: error: ${message}` : `error: ${message}`);
    if (loc?.lineText !== undefined) {
      lines.push(`    ${loc.lineText}`);
      // Keep tabs so that the caret lines up under tab-indented text.
      const before = loc.lineText.slice(0, Math.max(0, loc.column - 1)).replace(/[^\t]/g, ' ');
      lines.push(`    ${before}${' '.repeat(Math.max(0, loc.column - 1 - before.length))}^`);
    }
    if (this.hint) lines.push(`  hint: ${this.hint.split('\n').map((l) => clipText(l, 400)).join('\n')}`);
    return lines.join('\n');
  }
}

/** Long text quoted in a message: its head and tail only. */
export function clipText(s: string, max = 160): string {
  return s.length <= max ? s : `${s.slice(0, max - 30)}...(${s.length} characters)...${s.slice(-15)}`;
}

/** A very long source line shown as the part around the column (so the caret still points). */
function windowed(loc: Location | undefined): Location | undefined {
  if (!loc?.lineText || loc.lineText.length <= 200) return loc;
  const from = Math.max(0, loc.column - 100);
  const text = loc.lineText.slice(from, from + 200);
  const pre = from > 0 ? '...' : '';
  const post = from + 200 < loc.lineText.length ? '...' : '';
  return { ...loc, lineText: `${pre}${text}${post}`, column: loc.column - from + pre.length };
}

/** Several errors found in one pass (`gan config check` reports all of them). */
export class ConfigErrors extends Error {
  constructor(readonly errors: ConfigError[]) {
    super(errors.map((e) => e.format()).join('\n'));
    this.name = 'ConfigErrors';
  }
  format(): string {
    return this.errors.map((e) => e.format()).join('\n');
  }
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[n];
}

/** Up to `k` candidates closest to `name`, closest first; only reasonably close ones. */
export function closest(name: string, candidates: Iterable<string>, k = 3): string[] {
  const lower = name.toLowerCase();
  const scored: Array<[number, string]> = [];
  for (const c of candidates) {
    const last = c.split('.').pop()!;
    const d = Math.min(editDistance(lower, c.toLowerCase()), editDistance(lower, last.toLowerCase()));
    // Very short names are only "close" to names equal but for case; longer ones allow ~40% edits.
    const limit = name.length < 3 ? 0 : Math.max(1, Math.round(name.length * 0.4));
    const contains = (lower.length >= 3 && c.toLowerCase().includes(lower)) || (last.length >= 3 && lower.includes(last.toLowerCase()));
    if (d <= limit || contains) scored.push([d, c]);
  }
  scored.sort((x, y) => x[0] - y[0] || x[1].localeCompare(y[1]));
  return [...new Set(scored.map((s) => s[1]))].slice(0, k);
}

export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const c = closest(name, candidates);
  return c.length ? `did you mean ${c.map((x) => `'${x}'`).join(' or ')}?` : undefined;
}
