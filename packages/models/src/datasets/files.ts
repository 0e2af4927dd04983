/**
 * Finding a dataset's files. Lookup order:
 *   1. `dataset.data_dir` (the CLI's --data_dir binds it), as `<dir>/<name>` then `<dir>`;
 *   2. `$GAN_DATA_DIR`, the same way;
 *   3. the cache, `$XDG_CACHE_HOME/compare-gan-js/<name>` (default `~/.cache/compare-gan-js/<name>`);
 *   4. a Debian package's folder (`/usr/share/datasets/fashion-mnist` from dataset-fashion-mnist);
 *   5. the canonical download URL, fetched into the cache (each file atomically: a temporary
 *      name, then rename). `$GAN_DATA_MIRROR` replaces the host: `<mirror>/<name>/<file>`.
 * A location given explicitly (1, or 2 without 1) must hold the files: otherwise it is an error
 * naming it, never a silent fallback to the next place. When everything fails, the error lists
 * each place and why it did not do.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable, Transform } from 'stream';
import { pipeline } from 'stream/promises';
import { DatasetError } from './errors';
import { extractTarGz } from './tar';

export interface DownloadSource {
  /** Base URLs tried in order; a file `f` is fetched from `<base>/<f>`. */
  bases?: string[];
  /** Or one archive (.tar.gz) holding the files under `member prefix`. */
  archive?: { url: string; prefix: string };
}

export interface FileSpec {
  /** Dataset name, used for cache folders and messages. */
  name: string;
  /** Files that must all be present in one folder. `x.gz` is also found uncompressed as `x`. */
  files: string[];
  /** Sub-folders of a candidate to look in too (e.g. `cifar-10-batches-bin`). */
  subdirs?: string[];
  /** A Debian package that installs the files, and where. */
  debian?: { package: string; dir: string };
  download?: DownloadSource;
  /** Extra advice on how to get the data. */
  howToGet?: string;
}

export interface LocateOptions {
  dataDir?: string | null;
  download?: boolean;
  log?: (msg: string) => void;
  /** Seconds before a download gives up. */
  timeoutS?: number;
}

export interface Located {
  dir: string;
  /** Required file name → the path found (maybe the uncompressed variant). */
  paths: Record<string, string>;
  /** Where it came from, e.g. 'dataset.data_dir' or 'download'. */
  source: string;
}

export const DATA_DIR_ENV = 'GAN_DATA_DIR';
export const MIRROR_ENV = 'GAN_DATA_MIRROR';

export function datasetCacheDir(name: string): string {
  const root = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(root, 'compare-gan-js', name);
}

function fileVariants(f: string): string[] {
  return f.endsWith('.gz') ? [f, f.slice(0, -3)] : [f];
}

/** Checks one folder: the paths when every file is there, else a reason. */
function probe(dir: string, spec: FileSpec): { paths?: Record<string, string>; reason?: string; dir: string } {
  const dirs = [dir, ...(spec.subdirs ?? []).map((s) => path.join(dir, s))];
  let best: { missing: string[]; dir: string } | undefined;
  for (const d of dirs) {
    if (!isDir(d)) continue;
    const paths: Record<string, string> = {};
    const missing: string[] = [];
    for (const f of spec.files) {
      const found = fileVariants(f).map((v) => path.join(d, v)).find((p) => isFile(p));
      if (found) paths[f] = found;
      else missing.push(f);
    }
    if (!missing.length) return { paths, dir: d };
    if (!best || missing.length < best.missing.length) best = { missing, dir: d };
  }
  if (!best) {
    let why = 'no such folder';
    try {
      if (!fs.statSync(dir).isDirectory()) why = 'it is a file, not a folder';
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code && code !== 'ENOENT') why = `it cannot be read (${code})`;
    }
    return { reason: why, dir };
  }
  return { reason: isEmptyDir(best.dir) ? 'the folder is empty' : `missing ${best.missing.join(', ')}`, dir: best.dir };
}

function isEmptyDir(p: string): boolean {
  try {
    return fs.readdirSync(p).length === 0;
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

export async function locateFiles(spec: FileSpec, opts: LocateOptions = {}): Promise<Located> {
  const tried: string[] = [];
  const candidates: Array<{ label: string; dirs: string[]; explicit?: boolean }> = [];
  candidates.push({ label: 'dataset.data_dir / --data_dir', dirs: opts.dataDir ? [path.join(opts.dataDir, spec.name), opts.dataDir] : [], explicit: Boolean(opts.dataDir) });
  const env = process.env[DATA_DIR_ENV];
  // $GAN_DATA_DIR is explicit too, unless --data_dir (which comes first) was given.
  candidates.push({ label: `$${DATA_DIR_ENV}`, dirs: env ? [path.join(env, spec.name), env] : [], explicit: Boolean(env) && !opts.dataDir });
  const cache = datasetCacheDir(spec.name);
  candidates.push({ label: 'cache', dirs: [cache] });
  if (spec.debian) candidates.push({ label: `Debian package ${spec.debian.package}`, dirs: [spec.debian.dir] });

  for (const c of candidates) {
    if (!c.dirs.length) {
      tried.push(`${c.label}: not set`);
      continue;
    }
    const reasons: string[] = [];
    for (const d of c.dirs) {
      const r = probe(d, spec);
      if (r.paths) {
        opts.log?.(`${spec.name}: using ${r.dir} (${c.label})`);
        return { dir: r.dir, paths: r.paths, source: c.label };
      }
      reasons.push(`${r.dir}: ${r.reason}`);
      tried.push(`${c.label}: ${r.dir}: ${r.reason}`);
    }
    // A location the user named must be used: an unusable one is an error, not a silent fallback.
    if (c.explicit) {
      throw new DatasetError(
        `${c.label} names ${c.dirs[c.dirs.length - 1]}, which does not hold the ${spec.name} data files (${spec.files.join(', ')}): ${reasons.join('; ')}.`,
        `point it at a folder holding those files (or <folder>/${spec.name}/), or unset it to use the cache${spec.debian ? ` or Debian's ${spec.debian.package}` : ''}`,
      );
    }
  }

  const dl = spec.download;
  if (dl && opts.download !== false) {
    try {
      await downloadInto(cache, spec, dl, opts);
      const r = probe(cache, spec);
      if (r.paths) return { dir: r.dir, paths: r.paths, source: 'download' };
      tried.push(`download into ${cache}: finished but ${r.reason}`);
    } catch (e) {
      tried.push(`download: failed: ${(e as Error).message}`);
    }
  } else if (dl) {
    tried.push(`download from ${describeSource(dl)}: disabled (dataset.download = False)`);
  } else {
    tried.push('download: this dataset has no download location');
  }

  const ways: string[] = [];
  if (spec.debian) ways.push(`install Debian's package: apt-get install ${spec.debian.package}`);
  if (dl) ways.push(`download ${describeSource(dl)}${dl.archive ? ', unpack it,' : ''} and put ${spec.files.join(', ')} into ${cache}`);
  if (spec.howToGet) ways.push(spec.howToGet);
  ways.push(`or point dataset.data_dir (--data_dir) or $${DATA_DIR_ENV} at a folder holding ${spec.files.join(', ')}`);
  throw new DatasetError(
    `could not find the ${spec.name} data files (${spec.files.join(', ')}). Looked in:\n` + tried.map((t, i) => `    ${i + 1}. ${t}`).join('\n'),
    ways.join(';\n        '),
  );
}

function describeSource(dl: DownloadSource): string {
  if (dl.archive) return dl.archive.url;
  return (dl.bases ?? []).join(' or ');
}

function mirrored(spec: FileSpec, dl: DownloadSource): DownloadSource {
  const mirror = process.env[MIRROR_ENV];
  if (!mirror) return dl;
  const base = `${mirror.replace(/\/+$/, '')}/${spec.name}`;
  if (dl.archive) return { archive: { url: `${base}/${path.posix.basename(new URL(dl.archive.url).pathname)}`, prefix: dl.archive.prefix } };
  return { bases: [base] };
}

/**
 * Fetches `url` into `dest` atomically (temporary file, then rename). `timeoutS` bounds the wait
 * for a response and any stall of the body (no bytes for that long), not the whole transfer, so
 * large archives on slow links still complete.
 */
export async function fetchToFile(url: string, dest: string, timeoutS = 120): Promise<void> {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.part-${process.pid}-${Date.now()}`;
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => abort.abort(new Error(`no data for ${timeoutS} s`)), timeoutS * 1000);
  };
  try {
    arm();
    let res: Response;
    try {
      res = await fetch(url, { signal: abort.signal });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`${url}: ${(e as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`);
    }
    if (!res.ok || !res.body) throw new Error(`${url}: HTTP ${res.status} ${res.statusText}`);
    const watchdog = new Transform({
      transform(chunk, _enc, done) {
        arm();
        done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(res.body as import('stream/web').ReadableStream), watchdog, fs.createWriteStream(tmp));
    } catch (e) {
      throw new Error(`${url}: download interrupted (${(abort.signal.reason as Error | undefined)?.message ?? (e as Error).message})`);
    }
    fs.renameSync(tmp, dest);
  } finally {
    clearTimeout(timer);
    fs.rmSync(tmp, { force: true });
  }
}

async function downloadInto(cache: string, spec: FileSpec, source: DownloadSource, opts: LocateOptions): Promise<void> {
  const dl = mirrored(spec, source);
  if (dl.archive) {
    const archivePath = path.join(cache, path.posix.basename(new URL(dl.archive.url).pathname));
    opts.log?.(`${spec.name}: downloading ${dl.archive.url} into ${cache}`);
    await fetchToFile(dl.archive.url, archivePath, opts.timeoutS);
    try {
      const wanted = new Map(spec.files.map((f) => [`${dl.archive!.prefix}${f}`, f]));
      const members = extractTarGz(fs.readFileSync(archivePath), archivePath, (m) => wanted.has(m));
      for (const [member, data] of members) {
        const dest = path.join(cache, wanted.get(member)!);
        fs.writeFileSync(`${dest}.part-${process.pid}`, data);
        fs.renameSync(`${dest}.part-${process.pid}`, dest);
      }
    } finally {
      fs.rmSync(archivePath, { force: true });
    }
    return;
  }
  const errors: string[] = [];
  for (const f of spec.files) {
    if (isFile(path.join(cache, f))) continue;
    let ok = false;
    for (const base of dl.bases ?? []) {
      const url = `${base.replace(/\/+$/, '')}/${f}`;
      try {
        opts.log?.(`${spec.name}: downloading ${url}`);
        await fetchToFile(url, path.join(cache, f), opts.timeoutS);
        ok = true;
        break;
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    if (!ok) throw new Error(errors.join('; '));
  }
}
