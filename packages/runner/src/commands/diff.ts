/**
 * `gan diff RUN_A RUN_B`: the bindings in which two runs differ (defaults shown with their
 * values, macros substituted, equal numbers equal however spelled; the schedule is
 * run_config.schedule). Each side may be a run directory (its run.json) or a .gin file.
 */
import { Command } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import { RunError } from '../errors';
import { loadGinConfig } from '../gin';
import { Io } from '../io';
import { BindingDiff, diffBindings, effectiveBindings, showValue } from '../run/effective';
import { RunDir } from '../run/run_dir';
import '../wiring/adapters';

export function bindingsOf(p: string): Record<string, string> {
  if (!fs.existsSync(p)) throw new RunError(`'${p}' does not exist.`, 'pass two run directories (or .gin files)');
  if (fs.statSync(p).isDirectory()) {
    const r = new RunDir(p).readRunJson();
    if (!r) throw new RunError(`'${p}' is not a run directory (no run.json).`, 'pass directories written by `gan train --model_dir`');
    return r.effective_bindings ?? {};
  }
  loadGinConfig([p], []);
  return effectiveBindings();
}

export function diffRuns(a: string, b: string): BindingDiff[] {
  return diffBindings(bindingsOf(a), bindingsOf(b));
}

export function formatDiff(a: string, b: string, d: BindingDiff[]): string {
  if (!d.length) return `${a} and ${b} have the same bindings\n`;
  const w = Math.max(...d.map((x) => x.key.length));
  const lines = [`${d.length} differing binding${d.length > 1 ? 's' : ''}:  ${path.basename(a)}  ->  ${path.basename(b)}`];
  for (const x of d) lines.push(`  ${x.key.padEnd(w)}  ${showValue(x.a, x.key)}  ->  ${showValue(x.b, x.key)}`);
  return lines.join('\n') + '\n';
}

export function registerDiff(program: Command, io: Io, run: (p: Promise<unknown>) => void): void {
  program
    .command('diff')
    .description('Show the bindings in which two runs (or .gin files) differ.')
    .argument('<run_a>')
    .argument('<run_b>')
    .action((a: string, b: string) =>
      run(
        (async () => {
          io.out(formatDiff(a, b, diffRuns(a, b)));
        })(),
      ),
    );
}
