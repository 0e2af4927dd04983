/**
 * An event file in the run directory (`events.out.tfevents.<seconds>.<host>.<pid>`), readable by
 * `tensorboard --logdir runs/`: one per training process, opened on the first write. A resumed
 * run starts its file with SessionLog START at the resume step so TensorBoard discards what the
 * earlier file logged after that checkpoint.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fileVersionEvent, sessionStartEvent, summaryEvent, SummaryValue } from './proto';
import { tfrecord } from './tfrecord';

export class EventFileWriter {
  private fd: number | null = null;
  readonly file: string;

  constructor(
    readonly dir: string,
    private readonly clock: () => number = () => Date.now() / 1000,
    name?: string,
  ) {
    const host = os.hostname().replace(/[^A-Za-z0-9._-]/g, '_');
    this.file = path.join(dir, name ?? `events.out.tfevents.${Math.floor(this.clock())}.${host}.${process.pid}`);
  }

  /** `event(wallTime)` builds the event after the file's first (file_version) event is written. */
  private write(event: (wallTime: number) => Uint8Array): void {
    if (this.fd === null) {
      // Reopened after close() (e.g. evaluation after training): append, the version is there.
      const fresh = !fs.existsSync(this.file) || fs.statSync(this.file).size === 0;
      this.fd = fs.openSync(this.file, 'a');
      if (fresh) fs.writeSync(this.fd, tfrecord(fileVersionEvent(this.clock())));
    }
    fs.writeSync(this.fd, tfrecord(event(this.clock())));
  }

  /** Marks a (re)start at `step`: TensorBoard forgets older events at steps >= step. */
  start(step: number): void {
    this.write((t) => sessionStartEvent(t, step));
  }

  add(step: number, values: SummaryValue[]): void {
    if (values.length) this.write((t) => summaryEvent(t, step, values));
  }

  /** Scalars from a flat record (nested objects become `parent/child` tags; non-numbers skipped). */
  addScalars(step: number, rec: Record<string, unknown>, prefix = ''): void {
    this.add(step, scalarValues(rec, prefix));
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

export function scalarValues(rec: Record<string, unknown>, prefix = ''): SummaryValue[] {
  const out: SummaryValue[] = [];
  for (const [k, v] of Object.entries(rec)) {
    if (k === 'step' && !prefix) continue;
    if (typeof v === 'number') out.push({ tag: prefix + k, scalar: v });
    else if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...scalarValues(v as Record<string, unknown>, `${prefix}${k}/`));
  }
  return out;
}
