/**
 * Checkpoints: `checkpoints/ckpt-<step>/{manifest.json, weights.bin}`.
 *
 * Written atomically: everything goes to a hidden temporary folder that is fsynced and then
 * renamed into place, so a checkpoint folder either exists complete or not at all. The manifest
 * records each tensor's name, dtype, shape and byte range and a SHA-256 of weights.bin; loading
 * verifies it, and a damaged checkpoint is named and skipped in favour of the previous one.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { RunError } from '../errors';

/** /2 adds `manifest_sha256`; /1 checkpoints (no manifest hash) still load, checked for structure. */
export const CHECKPOINT_FORMAT = 'cgan-checkpoint/2';
const READABLE_FORMATS = ['cgan-checkpoint/1', CHECKPOINT_FORMAT];
const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1 };
const DIR_RE = /^ckpt-(\d+)$/;

export interface TensorEntry {
  name: string;
  dtype: 'float32' | 'int32' | 'bool';
  shape: number[];
  offset: number;
  length: number;
}

export interface CheckpointManifest {
  format: string;
  step: number;
  /** Tensors by group: `variables` (the VariableStore) and `optimizer` (optimizer slots). */
  groups: Record<string, TensorEntry[]>;
  sha256: string;
  bytes: number;
  /** Anything JSON the runner needs to resume exactly: RNG state, data position, ... */
  state: Record<string, unknown>;
  /** SHA-256 of this manifest's JSON without this field (see manifestHash). */
  manifest_sha256?: string;
}

/** The hash that covers the manifest itself: its canonical JSON without `manifest_sha256`. */
export function manifestHash(m: CheckpointManifest): string {
  const { manifest_sha256: _, ...rest } = m;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

/**
 * Checks a manifest's tensor table against weights.bin's size: known dtypes, integer shapes,
 * each length equal to its shape's size, ranges back to back from 0 to `bytes`. Returns the
 * first problem, or null.
 */
function tableProblem(m: CheckpointManifest): string | null {
  let expected = 0;
  for (const [group, entries] of Object.entries(m.groups)) {
    if (!Array.isArray(entries)) return `group '${group}' is not a list`;
    for (const e of entries) {
      const what = `tensor '${e?.name}' (${group})`;
      if (!e || typeof e.name !== 'string') return `a ${group} entry has no name`;
      const per = BYTES_PER_ELEMENT[e.dtype];
      if (!per) return `${what} has unknown dtype ${JSON.stringify(e.dtype)}`;
      if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) return `${what} has an invalid shape ${JSON.stringify(e.shape)}`;
      const size = e.shape.reduce((a, b) => a * b, 1);
      if (e.length !== size * per) return `${what} has length ${e.length}, its shape [${e.shape}] and dtype ${e.dtype} need ${size * per}`;
      if (e.offset !== expected) return `${what} starts at byte ${e.offset}, expected ${expected}`;
      expected += e.length;
    }
  }
  return expected === m.bytes ? null : `the tensors cover ${expected} bytes, the manifest says ${m.bytes}`;
}

export interface CheckpointData {
  step: number;
  groups: Record<string, Map<string, tf.Tensor>>;
  state: Record<string, unknown>;
}

export interface LoadedCheckpoint extends CheckpointData {
  dir: string;
  /** Damaged checkpoints skipped on the way (newest first), with the reason. */
  skipped: Array<{ dir: string; reason: string }>;
}

export class CorruptCheckpointError extends RunError {
  constructor(readonly file: string, reason: string) {
    super(`Checkpoint file ${file} is damaged: ${reason}.`, 'delete that checkpoint folder, or let the runner fall back to the previous checkpoint');
  }
}

function fsyncPath(p: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(p, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function writeFileSynced(file: string, data: Buffer | string): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function checkpointName(step: number): string {
  return `ckpt-${String(step).padStart(9, '0')}`;
}

export class CheckpointStore {
  readonly root: string;
  constructor(modelDir: string) {
    this.root = path.join(modelDir, 'checkpoints');
  }

  /** Complete checkpoint folders, newest first (no validation). */
  list(): Array<{ step: number; dir: string }> {
    if (!fs.existsSync(this.root) || !fs.statSync(this.root).isDirectory()) return [];
    return fs
      .readdirSync(this.root)
      .map((n) => ({ m: DIR_RE.exec(n), n }))
      .filter((x) => x.m)
      .map((x) => ({ step: Number(x.m![1]), dir: path.join(this.root, x.n) }))
      .sort((a, b) => b.step - a.step);
  }

  async save(data: CheckpointData, keepMax = 0): Promise<string> {
    fs.mkdirSync(this.root, { recursive: true });
    this.removeTemporaries();
    const groups: Record<string, TensorEntry[]> = {};
    const chunks: Buffer[] = [];
    let offset = 0;
    for (const [group, tensors] of Object.entries(data.groups)) {
      groups[group] = [];
      for (const name of [...tensors.keys()].sort()) {
        const t = tensors.get(name)!;
        const dtype = t.dtype as TensorEntry['dtype'];
        if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
          throw new RunError(`Cannot checkpoint tensor '${name}' of dtype ${t.dtype}.`);
        }
        const values = await t.data();
        const buf = dtype === 'bool' ? Buffer.from(Uint8Array.from(values as Uint8Array)) : Buffer.from((values as Float32Array | Int32Array).buffer.slice(0));
        groups[group].push({ name, dtype, shape: t.shape.slice(), offset, length: buf.length });
        chunks.push(buf);
        offset += buf.length;
      }
    }
    const weights = Buffer.concat(chunks);
    const manifest: CheckpointManifest = {
      format: CHECKPOINT_FORMAT,
      step: data.step,
      groups,
      sha256: createHash('sha256').update(weights).digest('hex'),
      bytes: weights.length,
      state: data.state,
    };
    manifest.manifest_sha256 = manifestHash(manifest);
    const finalDir = path.join(this.root, checkpointName(data.step));
    const tmp = path.join(this.root, `.tmp-${checkpointName(data.step)}-${process.pid}`);
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp);
    writeFileSynced(path.join(tmp, 'weights.bin'), weights);
    writeFileSynced(path.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
    fsyncPath(tmp);
    if (fs.existsSync(finalDir)) {
      // Re-saving a step: move the old one aside first so that a crash leaves one of them whole.
      const old = path.join(this.root, `.old-${checkpointName(data.step)}-${process.pid}`);
      fs.renameSync(finalDir, old);
      fs.renameSync(tmp, finalDir);
      fs.rmSync(old, { recursive: true, force: true });
    } else {
      fs.renameSync(tmp, finalDir);
    }
    fsyncPath(this.root);
    this.good.add(finalDir);
    if (keepMax > 0) this.prune(keepMax);
    return finalDir;
  }

  /** Folders already verified by this process (or written by it). */
  private readonly good = new Set<string>();

  /** Whether a checkpoint folder loads (verified fully once per process). */
  isLoadable(dir: string): boolean {
    if (this.good.has(dir)) return true;
    try {
      disposeCheckpoint(this.read(dir));
      return true;
    } catch (e) {
      if (e instanceof CorruptCheckpointError) return false;
      throw e;
    }
  }

  /**
   * Keeps the newest `keepMax` loadable checkpoints and deletes older ones. Damaged folders
   * never count (so they cannot push the good ones out); they are left for the user to inspect.
   */
  prune(keepMax: number): void {
    let kept = 0;
    for (const c of this.list()) {
      if (kept < keepMax) {
        if (this.isLoadable(c.dir)) kept++;
      } else if (this.isLoadable(c.dir)) {
        // Renamed aside first: a process killed while deleting leaves a `.old-` folder (removed by
        // the next save), never a checkpoint folder with half its files.
        const trash = path.join(this.root, `.old-${path.basename(c.dir)}-${process.pid}`);
        fs.renameSync(c.dir, trash);
        this.good.delete(c.dir);
        fs.rmSync(trash, { recursive: true, force: true });
      }
    }
  }

  private removeTemporaries(): void {
    for (const n of fs.readdirSync(this.root)) {
      if (n.startsWith('.tmp-') || n.startsWith('.old-')) fs.rmSync(path.join(this.root, n), { recursive: true, force: true });
    }
  }

  /**
   * Reads and verifies one checkpoint folder: the manifest's own hash, its tensor table, the
   * step against the folder name, weights.bin's size and SHA-256. Any failure is a
   * CorruptCheckpointError naming the file, so callers can fall back to an earlier checkpoint.
   */
  read(dir: string): CheckpointData {
    const mfile = path.join(dir, 'manifest.json');
    const wfile = path.join(dir, 'weights.bin');
    let manifest: CheckpointManifest;
    try {
      manifest = JSON.parse(fs.readFileSync(mfile, 'utf8'));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new CorruptCheckpointError(mfile, code === 'ENOENT' ? 'the file is missing' : code ? `it cannot be read (${code})` : `it is not valid JSON (${(e as Error).message})`);
    }
    if (!READABLE_FORMATS.includes(manifest?.format) || typeof manifest.step !== 'number' || !manifest.groups || typeof manifest.groups !== 'object') {
      throw new CorruptCheckpointError(mfile, `it is not a ${CHECKPOINT_FORMAT} manifest`);
    }
    if (manifest.format !== 'cgan-checkpoint/1' && manifest.manifest_sha256 !== manifestHash(manifest)) {
      throw new CorruptCheckpointError(mfile, 'it was modified after it was written (its manifest_sha256 does not match)');
    }
    const folderStep = DIR_RE.exec(path.basename(dir));
    if (folderStep && Number(folderStep[1]) !== manifest.step) {
      throw new CorruptCheckpointError(mfile, `it says step ${manifest.step}, its folder ${path.basename(dir)} says ${Number(folderStep[1])}`);
    }
    const problem = tableProblem(manifest);
    if (problem) throw new CorruptCheckpointError(mfile, problem);
    let weights: Buffer;
    try {
      weights = fs.readFileSync(wfile);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new CorruptCheckpointError(wfile, code === 'ENOENT' ? 'the file is missing' : `it cannot be read (${code ?? (e as Error).message})`);
    }
    if (weights.length !== manifest.bytes) {
      throw new CorruptCheckpointError(wfile, `it has ${weights.length} bytes, the manifest says ${manifest.bytes}`);
    }
    const sha = createHash('sha256').update(weights).digest('hex');
    if (sha !== manifest.sha256) throw new CorruptCheckpointError(wfile, 'its SHA-256 does not match the manifest');
    const groups: Record<string, Map<string, tf.Tensor>> = {};
    try {
      for (const [group, entries] of Object.entries(manifest.groups)) {
        const m = new Map<string, tf.Tensor>();
        groups[group] = m;
        for (const e of entries) {
          const bytes = weights.subarray(e.offset, e.offset + e.length);
          const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
          const values = e.dtype === 'float32' ? new Float32Array(ab) : e.dtype === 'int32' ? new Int32Array(ab) : new Uint8Array(ab);
          m.set(e.name, tf.tensor(values, e.shape, e.dtype));
        }
      }
    } catch (e) {
      disposeCheckpoint({ step: manifest.step, groups, state: {} });
      throw new CorruptCheckpointError(mfile, `its tensors cannot be rebuilt (${(e as Error).message})`);
    }
    this.good.add(dir);
    return { step: manifest.step, groups, state: manifest.state ?? {} };
  }

  /**
   * The newest checkpoint that loads, or null when there is none. Damaged ones are skipped
   * (reported through `skipped`); if every checkpoint is damaged, a RunError lists them.
   */
  loadLatest(): LoadedCheckpoint | null {
    const all = this.list();
    const skipped: Array<{ dir: string; reason: string }> = [];
    for (const c of all) {
      try {
        return { ...this.read(c.dir), dir: c.dir, skipped };
      } catch (e) {
        if (!(e instanceof CorruptCheckpointError)) throw e;
        skipped.push({ dir: c.dir, reason: e.message });
      }
    }
    if (skipped.length) {
      throw new RunError(
        `Every checkpoint in ${this.root} is damaged: ${skipped.map((s) => s.reason).join(' ')}`,
        'nothing was changed; move the damaged folders away to start over, or restore them from a backup',
      );
    }
    return null;
  }

  /** Loads a checkpoint given as a folder, a manifest path, or a run directory (its latest). */
  static resolve(p: string): LoadedCheckpoint {
    if (!fs.existsSync(p)) throw new RunError(`Checkpoint '${p}' does not exist.`, 'pass a checkpoint folder (RUN/checkpoints/ckpt-N) or a run directory');
    const stat = fs.statSync(p);
    const dir = stat.isFile() ? path.dirname(p) : p;
    if (fs.existsSync(path.join(dir, 'checkpoints'))) {
      const latest = new CheckpointStore(dir).loadLatest();
      if (!latest) throw new RunError(`Run directory '${dir}' has no checkpoint yet.`);
      return latest;
    }
    const store = new CheckpointStore(path.dirname(path.dirname(dir)));
    return { ...store.read(dir), dir, skipped: [] };
  }
}

export function disposeCheckpoint(c: CheckpointData): void {
  for (const g of Object.values(c.groups)) for (const t of g.values()) t.dispose();
}
