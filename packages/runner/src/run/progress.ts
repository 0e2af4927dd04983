/**
 * Training progress: a cli-progress bar (step, steps/s, ETA, last losses) on a terminal,
 * plain periodic log lines otherwise (CI logs, files, tests).
 */
import { SingleBar } from 'cli-progress';

export interface Progress {
  start(total: number, from: number): void;
  update(step: number, stepsPerSec: number, losses: Record<string, number>): void;
  log(line: string): void;
  stop(): void;
}

/** Loss-like keys first (d_loss, g_loss), then the rest, at most four. */
export function orderKeys(keys: string[]): string[] {
  const rank = (k: string) => (k === 'd_loss' ? 0 : k === 'g_loss' ? 1 : /^d_loss_\d+$/.test(k) ? 3 : /_lr$/.test(k) ? 4 : 2);
  return [...keys].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

const fmtLosses = (l: Record<string, number>) =>
  orderKeys(Object.keys(l))
    .map((k) => [k, l[k]] as [string, number])
    .slice(0, 4)
    .map(([k, v]) => `${k}=${Number.isFinite(v) ? v.toFixed(4) : v}`)
    .join(' ');

function eta(remaining: number, sps: number): string {
  if (!(sps > 0)) return '?';
  const s = Math.round(remaining / sps);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export class BarProgress implements Progress {
  private bar?: SingleBar;
  private total = 0;
  constructor(private stream: NodeJS.WriteStream = process.stderr) {}
  start(total: number, from: number): void {
    this.total = total;
    this.bar = new SingleBar({ format: 'step {value}/{total} |{bar}| {sps} steps/s | ETA {eta_fmt2} | {losses}', hideCursor: true, stream: this.stream });
    this.bar.start(total, from, { sps: '-', eta_fmt2: '?', losses: '' });
  }
  update(step: number, sps: number, losses: Record<string, number>): void {
    this.bar?.update(step, { sps: sps.toFixed(2), eta_fmt2: eta(this.total - step, sps), losses: fmtLosses(losses) });
  }
  log(line: string): void {
    this.stream.write(`\r\x1b[K${line}\n`);
  }
  stop(): void {
    this.bar?.stop();
  }
}

export class LineProgress implements Progress {
  private total = 0;
  private lastLogged = -1;
  private lastTime = 0;
  constructor(private write: (s: string) => void, private everySec = 10) {}
  start(total: number, from: number): void {
    this.total = total;
    this.lastTime = 0;
    this.write(`training: step ${from} -> ${total}\n`);
  }
  update(step: number, sps: number, losses: Record<string, number>): void {
    const now = Date.now();
    if (step === this.total || this.lastLogged < 0 || now - this.lastTime >= this.everySec * 1000) {
      this.lastTime = now;
      this.lastLogged = step;
      this.write(`step ${step}/${this.total}  ${sps.toFixed(2)} steps/s  ETA ${eta(this.total - step, sps)}  ${fmtLosses(losses)}\n`);
    }
  }
  log(line: string): void {
    this.write(line + '\n');
  }
  stop(): void {}
}

export function makeProgress(stream: NodeJS.WriteStream, write: (s: string) => void): Progress {
  return stream.isTTY ? new BarProgress(stream) : new LineProgress(write);
}
