/**
 * One writer per directory: `DIR/.lock` records who holds it (pid, host, process start time,
 * command). Run directories (`gan train`, `gan eval`) and sweep directories (`gan sweep run`,
 * local or --queue) take it before writing anything. A lock whose process is gone (same host,
 * `process.kill(pid, 0)` says ESRCH, or the pid now belongs to a process started later) is
 * stale and taken over; a live one is an error naming the holder.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fileSystemError, RunError } from '../errors';

export interface LockInfo {
  pid: number;
  hostname: string;
  /** When the holding process started (from /proc where available), to tell a reused pid. */
  procStart: string | null;
  since: string;
  command: string;
}

export const LOCK_NAME = '.lock';

/** Locks held by this process (path -> release), so re-entry is an error, not a deadlock. */
const held = new Map<string, () => void>();

/** A process's start time in clock ticks since boot (Linux /proc), or null when unknown. */
function processStart(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22, counted after the command name in parentheses (which may contain spaces).
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function readLock(file: string): LockInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
    return typeof info?.pid === 'number' ? info : null;
  } catch {
    return null;
  }
}

/** Why the holder is gone (a stale lock), or null when it may still be running. */
function staleReason(info: LockInfo | null, file: string): string | null {
  if (!info) {
    // Unreadable: only a crash between creating and filling it (we never write it in place).
    return 'it is unreadable';
  }
  if (info.hostname !== os.hostname()) return null;
  if (info.pid === process.pid) return held.has(file) ? null : 'it was left by this process';
  try {
    process.kill(info.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return `process ${info.pid} is gone`;
    // EPERM: alive, owned by someone else.
  }
  const start = processStart(info.pid);
  if (start && info.procStart && start !== info.procStart) return `pid ${info.pid} now belongs to another process`;
  return null;
}

function describe(info: LockInfo | null): string {
  if (!info) return 'an unknown process';
  return `'${info.command}' (pid ${info.pid} on ${info.hostname}, since ${info.since})`;
}

/**
 * Takes `DIR/.lock` for `command` (e.g. 'gan train'); returns the release function (also run
 * at process exit). Throws a RunError naming the holder when another live process has it.
 */
export function lockDirectory(dir: string, command: string, what = 'directory'): () => void {
  const file = path.resolve(dir, LOCK_NAME);
  // Re-entry from this process (a sweep run locks, then its local runner): the outer call releases.
  if (held.has(file)) return () => undefined;
  const info: LockInfo = { pid: process.pid, hostname: os.hostname(), procStart: processStart(process.pid), since: new Date().toISOString(), command };
  const tmp = `${file}.${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    fs.writeFileSync(tmp, JSON.stringify(info) + '\n');
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        // link() creates the lock whole or fails with EEXIST: never a half-written lock.
        fs.linkSync(tmp, file);
        const release = () => {
          held.delete(file);
          process.off('exit', release);
          const now = readLock(file);
          if (now && now.pid === info.pid && now.since === info.since) fs.rmSync(file, { force: true });
        };
        held.set(file, release);
        process.on('exit', release);
        return release;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = readLock(file);
      const stale = staleReason(holder, file);
      if (!stale) {
        throw new RunError(
          `${what[0].toUpperCase()}${what.slice(1)} ${dir} is in use by ${describe(holder)}. Nothing was changed.`,
          `wait for it to finish or stop it, or use another ${what}; if that process no longer exists, delete ${file}`,
        );
      }
      // Move the stale lock aside under a unique name, then check that it was the stale one.
      const aside = `${file}.stale-${process.pid}`;
      try {
        fs.renameSync(file, aside);
      } catch {
        continue;
      }
      const moved = readLock(aside);
      if (holder && moved && (moved.pid !== holder.pid || moved.since !== holder.since)) {
        // Someone took a fresh lock between our read and the rename: give it back.
        try {
          fs.linkSync(aside, file);
        } catch {
          /* another process holds it now; the next attempt reports it */
        }
      }
      fs.rmSync(aside, { force: true });
    }
    throw new RunError(`Could not lock ${what} ${dir}: other processes keep taking it.`, `stop the other gan processes using ${dir}`);
  } catch (e) {
    throw fileSystemError(e, `the lock of ${dir}`) ?? e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Who holds `DIR/.lock` now (null when nobody or the holder is gone). */
export function lockHolder(dir: string): LockInfo | null {
  const file = path.resolve(dir, LOCK_NAME);
  const info = readLock(file);
  return info && !staleReason(info, file) ? info : null;
}
