/**
 * metrics.jsonl: one JSON object per logged step. Deterministic fields (step, losses,
 * penalties, learning rates) sit at the top level; wall-clock fields (steps/s, time) live under
 * `wall` so that two runs can be compared bit for bit without them (`deterministicView`).
 */
import * as fs from 'fs';

export interface MetricsRecord {
  step: number;
  [key: string]: unknown;
  wall?: { steps_per_sec: number; elapsed_sec: number };
}

export class MetricsLog {
  constructor(readonly file: string) {}

  append(rec: MetricsRecord): void {
    fs.appendFileSync(this.file, JSON.stringify(rec) + '\n');
  }

  /** Drops records after `step` (a resumed run re-logs the steps after its checkpoint). */
  truncateAfter(step: number): void {
    if (!fs.existsSync(this.file)) return;
    const kept = readJsonl(this.file).filter((r) => (r as MetricsRecord).step <= step);
    const tmp = `${this.file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, kept.map((r) => JSON.stringify(r) + '\n').join(''));
    fs.renameSync(tmp, this.file);
  }

  read(): MetricsRecord[] {
    return fs.existsSync(this.file) ? (readJsonl(this.file) as MetricsRecord[]) : [];
  }
}

/** Parses a JSONL file, skipping a torn last line (a crash mid-append). */
export function readJsonl(file: string): unknown[] {
  const out: unknown[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // a partially written final line
    }
  }
  return out;
}

/** The records without wall-clock fields, for reproducibility comparisons. */
export function deterministicView(recs: MetricsRecord[]): MetricsRecord[] {
  return recs.map(({ wall: _wall, ...rest }) => rest as MetricsRecord);
}
