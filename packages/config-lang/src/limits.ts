/**
 * Bounds on what the loader accepts, checked before parsing so that hostile or mistaken input
 * gets a located error instead of a hang, an abort or a stack overflow: only regular text files
 * (no devices, FIFOs or binary files), at most `maxBytes` per file, brackets nested at most
 * `maxDepth` deep. Limits can be raised with GAN_CONFIG_MAX_BYTES / GAN_CONFIG_MAX_DEPTH.
 */
import * as fs from 'fs';
import { clipText, ConfigError } from './errors';
import { Location } from './values';

export const LIMITS = {
  get maxBytes(): number {
    return Number(process.env.GAN_CONFIG_MAX_BYTES) || 32 * 1024 * 1024;
  },
  get maxDepth(): number {
    return Number(process.env.GAN_CONFIG_MAX_DEPTH) || 100;
  },
};

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 2 : 0)} MB`;

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The location of byte `offset` of `buf` (1-based line and column). */
function locate(file: string, buf: Buffer, offset: number): Location {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    if (buf[i] === 10) {
      line++;
      start = i + 1;
    }
  }
  return { file, line, column: offset - start + 1 };
}

/**
 * Reads a config file as text, refusing what is not one. Errors name the file (and the
 * including statement's location when there is one) and say what to do.
 */
export function readConfigText(file: string, includedAt?: Location, hint?: string): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw unreadable(file, e, includedAt, hint);
  }
  if (!st.isFile()) {
    throw new ConfigError(`Cannot read config file '${clipText(file)}': it is ${kindOf(st)}, not a text file.`, includedAt, 'pass a .gin text file');
  }
  if (st.size > LIMITS.maxBytes) {
    throw new ConfigError(`Config file '${clipText(file)}' is ${mb(st.size)}; config files are limited to ${mb(LIMITS.maxBytes)}.`, includedAt, 'split it, or raise the limit with GAN_CONFIG_MAX_BYTES');
  }
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw unreadable(file, e, includedAt, hint);
  }
  if (buf.length > LIMITS.maxBytes) {
    throw new ConfigError(`Config file '${clipText(file)}' grew past ${mb(LIMITS.maxBytes)} while being read.`, includedAt, 'pass a file that is not being written to');
  }
  // Text: valid UTF-8 and no control characters but tab, newline, carriage return, form feed.
  // eslint-disable-next-line no-control-regex
  const bad = buf.findIndex((b) => b < 32 && b !== 9 && b !== 10 && b !== 13 && b !== 12);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    text = '';
  }
  if (bad >= 0 || (!text && buf.length)) {
    const where = bad >= 0 ? locate(file, buf, bad) : undefined;
    const what = bad >= 0 ? `byte 0x${buf[bad].toString(16).padStart(2, '0')} at line ${where!.line}, column ${where!.column}` : 'it is not valid UTF-8';
    throw new ConfigError(`'${clipText(file)}' is not a text file (${what}).`, includedAt, 'pass a Gin config (.gin text file)');
  }
  return text;
}

function unreadable(file: string, e: unknown, location?: Location, hint?: string): ConfigError {
  const code = (e as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    ENOENT: 'no such file',
    EISDIR: 'it is a directory',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ELOOP: 'it is a loop of symbolic links',
    ENOTDIR: 'a part of the path is not a directory',
    ENAMETOOLONG: 'the path is too long',
  };
  return new ConfigError(
    `Cannot read config file '${clipText(file)}': ${why[code ?? ''] ?? (e as Error).message}.`,
    location,
    hint ?? (code === 'ENOENT' ? 'check the path (relative paths are relative to the current directory)' : code === 'ELOOP' ? 'fix the symbolic link' : undefined),
  );
}

/**
 * The first place where brackets nest deeper than `maxDepth` (strings and comments skipped),
 * as an error; null when the text is within bounds. Run before the parser, which recurses.
 */
export function nestingError(text: string, file: string): ConfigError | null {
  const max = LIMITS.maxDepth;
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      lineStart = i + 1;
    } else if (c === '#') {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), i);
      const close = triple ? c.repeat(3) : c;
      i += close.length;
      while (i < text.length && !text.startsWith(close, i) && (triple || text[i] !== '\n')) {
        if (text[i] === '\\') i++;
        if (text[i] === '\n') {
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      i += close.length - 1;
    } else if (c === '(' || c === '[' || c === '{') {
      if (++depth > max) {
        const end = text.indexOf('\n', lineStart);
        const lineText = text.slice(lineStart, end < 0 ? undefined : end);
        return new ConfigError(
          `Values are nested more than ${max} deep.`,
          { file, line, column: i - lineStart + 1, lineText },
          'flatten the value, or raise the limit with GAN_CONFIG_MAX_DEPTH',
        );
      }
    } else if (c === ')' || c === ']' || c === '}') {
      depth = Math.max(0, depth - 1);
    }
  }
  return null;
}
