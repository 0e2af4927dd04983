/**
 * `gan config fmt`: the canonical form of a Gin file. Statements keep their order and each is
 * printed canonically (see ./printer); comments are kept — leading comments stay above their
 * statement, a comment ending a statement's last line stays at its end, and comments inside a
 * multi-line value move above the statement. Runs of blank lines collapse to one.
 * Formatting is idempotent: fmt(fmt(x)) === fmt(x).
 */
import { ConfigErrors } from './errors';
import { formatStatement } from './printer';
import { parseSource } from './syntax/parse';
import { CommentToken, Statement } from './syntax/statements';

interface Chunk {
  text: string;
  start: number;
  end: number;
}

/** Formats Gin source text; throws ConfigErrors when it does not parse. */
export function formatSource(text: string, file = '<string>', width = 80): string {
  const parsed = parseSource(text, file, { numberTexts: true });
  if (parsed.errors.length) throw new ConfigErrors(parsed.errors);
  const comments = [...parsed.comments].sort((a, b) => a.line - b.line);
  const chunks: Chunk[] = [];
  let ci = 0;
  const commentChunk = (c: CommentToken): Chunk => ({ text: c.text.trimEnd(), start: c.line, end: c.line });
  for (const st of parsed.statements as Statement[]) {
    const start = st.location.line;
    // Comments above the statement, then comments inside it (all but one ending its last line).
    let trailing: CommentToken | undefined;
    while (ci < comments.length && comments[ci].line <= st.endLine) {
      const c = comments[ci++];
      if (c.line === st.endLine && c.line >= start && isAfterCode(parsed.lines[c.line - 1], c.column)) {
        if (trailing) chunks.push(commentChunk(trailing));
        trailing = c;
      } else if (c.line >= start) {
        // Inside the statement: moves above it, with no blank line in between.
        chunks.push({ ...commentChunk(c), start: Math.min(c.line, start) });
      } else chunks.push(commentChunk(c));
    }
    const body = formatStatement(st, width);
    chunks.push({ text: trailing ? `${body}  ${trailing.text.trimEnd()}` : body, start, end: st.endLine });
  }
  while (ci < comments.length) chunks.push(commentChunk(comments[ci++]));

  const out: string[] = [];
  let prevEnd = 0;
  for (const ch of chunks) {
    if (out.length && ch.start > prevEnd + 1) out.push('');
    out.push(ch.text);
    prevEnd = Math.max(prevEnd, ch.end);
  }
  return out.length ? out.join('\n') + '\n' : '';
}

/** Whether a comment at `column` follows code on its line (a trailing comment). */
function isAfterCode(line: string, column: number): boolean {
  return line.slice(0, column - 1).trim().length > 0;
}
