/**
 * The live view of a sweep. A board polls the sweep directory (the source of truth for local
 * and distributed runs alike): each trial's status.json, and for running trials the step in
 * metrics.jsonl and the total from the operative config, giving an ETA. On a terminal it draws
 * cli-progress bars (one for the sweep, one per running trial); otherwise it prints plain
 * lines on every state change and a periodic summary of the running trials.
 */
import { MultiBar, Presets, SingleBar } from 'cli-progress';
import { lastStep, totalSteps } from './metrics';
import { readStatus, TrialState, trialDir } from './state';

export interface TrialView {
  id: string;
  label: string;
  state: TrialState;
  step?: number;
  total?: number;
  etaSec?: number;
  attempts: number;
  error?: string;
}

export function formatDuration(sec: number | undefined): string {
  if (sec === undefined || !Number.isFinite(sec)) return '?';
  const s = Math.max(0, Math.round(sec));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Snapshot of every trial's state (one poll). */
export function pollTrials(sweepDir: string, trials: Array<{ id: string; label: string }>, speeds: Map<string, { t: number; step: number; sps?: number }>): TrialView[] {
  const now = Date.now();
  return trials.map(({ id, label }) => {
    const st = readStatus(sweepDir, id);
    const v: TrialView = { id, label, state: st?.state ?? 'queued', attempts: st?.attempts ?? 0, error: st?.error };
    if (v.state === 'running') {
      const dir = trialDir(sweepDir, id);
      const last = lastStep(dir);
      v.total = totalSteps(dir);
      if (last) {
        v.step = last.step;
        // Steps/s: logged by the trainer when available, else measured between polls.
        const prev = speeds.get(id);
        let sps = last.stepsPerSec;
        if (!sps && prev && last.step > prev.step) sps = ((last.step - prev.step) * 1000) / (now - prev.t);
        if (!prev || last.step !== prev.step) speeds.set(id, { t: now, step: last.step, sps: sps ?? prev?.sps });
        const rate = sps ?? prev?.sps;
        if (v.total !== undefined && rate) v.etaSec = (v.total - last.step) / rate;
      }
    }
    return v;
  });
}

export interface ProgressView {
  update(views: TrialView[]): void;
  stop(views: TrialView[]): void;
}

const counts = (views: TrialView[]) => {
  const c = { queued: 0, running: 0, done: 0, failed: 0 };
  for (const v of views) c[v.state]++;
  return c;
};
const summaryText = (views: TrialView[]) => {
  const c = counts(views);
  return `${c.done + c.failed}/${views.length} trials: ${c.running} running, ${c.queued} queued, ${c.done} done, ${c.failed} failed`;
};

/** Plain lines: a line per state change, and every `everySec` the running trials' progress. */
export class LineView implements ProgressView {
  private last = new Map<string, string>();
  private lastSummary = 0;
  constructor(private write: (s: string) => void = (s) => process.stderr.write(s), private everySec = 10) {}
  update(views: TrialView[]): void {
    for (const v of views) {
      const prev = this.last.get(v.id);
      if (prev === v.state) continue;
      this.last.set(v.id, v.state);
      if (prev === undefined && v.state === 'queued') continue;
      const extra = v.state === 'failed' && v.error ? `: ${v.error.split('\n')[0]}` : v.state === 'running' && v.attempts > 1 ? ` (attempt ${v.attempts})` : '';
      this.write(`trial ${v.id} ${v.state}${extra}  [${v.label}]\n`);
    }
    const now = Date.now();
    if (now - this.lastSummary >= this.everySec * 1000) {
      this.lastSummary = now;
      const running = views.filter((v) => v.state === 'running');
      this.write(`${summaryText(views)}\n`);
      for (const v of running) this.write(`  ${v.id} step ${v.step ?? 0}/${v.total ?? '?'} ETA ${formatDuration(v.etaSec)}\n`);
    }
  }
  stop(views: TrialView[]): void {
    this.update(views);
    this.write(`${summaryText(views)}\n`);
  }
}

/** Terminal bars (cli-progress): the sweep, then one bar per running trial. */
export class BarView implements ProgressView {
  private multi: MultiBar;
  private sweep?: SingleBar;
  private bars = new Map<string, SingleBar>();
  private states = new Map<string, TrialState>();
  constructor(private stream: NodeJS.WriteStream = process.stderr) {
    this.multi = new MultiBar({ format: '{name} |{bar}| {value}/{total} {info}', hideCursor: true, clearOnComplete: false, stopOnComplete: false, stream, barsize: 24 }, Presets.shades_classic);
  }
  update(views: TrialView[]): void {
    const c = counts(views);
    if (!this.sweep) this.sweep = this.multi.create(views.length, 0, { name: 'sweep       ', info: '' });
    this.sweep.update(c.done + c.failed, { info: `${c.running} running, ${c.queued} queued, ${c.done} done, ${c.failed} failed` });
    for (const v of views) {
      const prev = this.states.get(v.id);
      this.states.set(v.id, v.state);
      if (prev !== v.state && prev !== undefined && (v.state === 'done' || v.state === 'failed')) {
        this.multi.log(`trial ${v.id} ${v.state}${v.state === 'failed' && v.error ? `: ${v.error.split('\n')[0]}` : ''}  [${v.label}]\n`);
      }
      const bar = this.bars.get(v.id);
      if (v.state === 'running') {
        const info = `ETA ${formatDuration(v.etaSec)}  ${v.label}`;
        if (bar) {
          if (v.total) bar.setTotal(v.total);
          bar.update(v.step ?? 0, { info });
        } else this.bars.set(v.id, this.multi.create(v.total ?? 1, v.step ?? 0, { name: `trial ${v.id.slice(0, 6)}`, info }));
      } else if (bar) {
        this.multi.remove(bar);
        this.bars.delete(v.id);
      }
    }
  }
  stop(views: TrialView[]): void {
    this.update(views);
    this.multi.stop();
    this.stream.write(`${summaryText(views)}\n`);
  }
}

/** Bars on a terminal, plain lines through `write` otherwise. */
export function makeView(stream: NodeJS.WriteStream = process.stderr, write: (s: string) => void = (s) => stream.write(s)): ProgressView {
  return stream.isTTY ? new BarView(stream) : new LineView(write);
}

/** Polls until `isFinished` or `signal`; every loop is bounded by the caller's condition. */
export async function watch(
  sweepDir: string,
  trials: Array<{ id: string; label: string }>,
  view: ProgressView,
  opts: { intervalMs?: number; isFinished: (views: TrialView[]) => boolean | Promise<boolean>; signal?: AbortSignal },
): Promise<TrialView[]> {
  const speeds = new Map<string, { t: number; step: number; sps?: number }>();
  let views = pollTrials(sweepDir, trials, speeds);
  for (;;) {
    view.update(views);
    if (opts.signal?.aborted || (await opts.isFinished(views))) break;
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1000));
    views = pollTrials(sweepDir, trials, speeds);
  }
  view.stop(views);
  return views;
}
