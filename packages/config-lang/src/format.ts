/**
 * `gan config fmt`: the canonical form of a Gin file. Statements keep their order and each is
 * printed canonically (see ./printer); comments are kept — leading comments stay above their
 * statement, a comment ending a statement's last line stays at its end, and comments inside a
 * multi-line value move above the statement. Runs of blank lines collapse to one. Binding
 * blocks stay blocks: the header, then each `param = value` line indented by two spaces.
 * Formatting is idempotent: fmt(fmt(x)) === fmt(x).
 */
import { ConfigErrors } from './errors';
import { formatBlockLine, formatStatement } from './printer';
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
  const indented = (ch: Chunk): Chunk => ({ ...ch, text: `  ${ch.text}` });
  let block: unknown;
  for (const st of parsed.statements as Statement[]) {
    const start = st.location.line;
    const inBlock = st.kind === 'binding' ? st.block : undefined;
    if (inBlock && inBlock !== block) {
      // The block's header: comments above it first, a comment ending its line stays there.
      const h = inBlock.location.line;
      while (ci < comments.length && comments[ci].line < h) chunks.push(commentChunk(comments[ci++]));
      let text = `${inBlock.scope ? `${inBlock.scope}/` : ''}${inBlock.selector}:`;
      while (ci < comments.length && comments[ci].line === h) text += `  ${comments[ci++].text.trimEnd()}`;
      chunks.push({ text, start: h, end: h });
    }
    block = inBlock;
    // Comments above the statement, then comments inside it (all but one ending its last line).
    let trailing: CommentToken | undefined;
    while (ci < comments.length && comments[ci].line <= st.endLine) {
      const c = comments[ci++];
      if (c.line === st.endLine && c.line >= start && isAfterCode(parsed.lines[c.line - 1], c.column)) {
        if (trailing) chunks.push(commentChunk(trailing));
        trailing = c;
      } else if (c.line >= start) {
        // Inside the statement: moves above it, with no blank line in between.
        chunks.push({ ...(inBlock ? indented(commentChunk(c)) : commentChunk(c)), start: Math.min(c.line, start) });
      } else chunks.push(inBlock && c.line > inBlock.location.line ? indented(commentChunk(c)) : commentChunk(c));
    }
    const body = inBlock && st.kind === 'binding' ? formatBlockLine(st, width) : formatStatement(st, width);
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
