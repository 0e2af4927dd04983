/**
 * Family: file-system faults. Unwritable, occupied or looping locations for --model_dir,
 * --out and --sweep_dir; every one a sentence naming the path and the fix, no stack, nothing
 * left behind. EACCES is real: the CLI runs as user `nobody` when the suite runs as root.
 */
import * as fs from 'fs';
import * as path from 'path';
import { fileSystemError } from '../../packages/runner/src/errors';
import { BUILT, expectCleanError, maybe, run, tmp, TINY, write } from './helpers';

jest.setTimeout(120000);

const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;

test.each([
  ['EACCES', 'open', 'permission denied', 'writable'],
  ['EISDIR', 'open', 'it is a folder, a file was expected', 'name a file'],
  ['EEXIST', 'mkdir', 'something is already there', 'remove it'],
  ['ENOTDIR', 'mkdir', 'a part of the path is a file', 'check the path'],
  ['ELOOP', 'stat', 'loop of symbolic links', 'symbolic link'],
  ['ENOSPC', 'write', 'the disk is full', 'free some disk space'],
  ['EROFS', 'open', 'read-only', 'writable file system'],
])('%s becomes one sentence naming the path and the fix', (code, syscall, why, fix) => {
  const e = Object.assign(new Error(`${code}: x, ${syscall} '/some/path'`), { code, syscall, path: '/some/path' });
  const r = fileSystemError(e)!;
  expect(r.format()).toMatch(new RegExp(`^error: Cannot .* '/some/path': .*${why}.*\\(${code}\\)\\.\\n  hint: .*${fix}`));
});

maybe(BUILT)('--model_dir: a file, under a file, unwritable (EACCES), and a run dir made read-only mid-run', async () => {
  const dir = tmp('fsrun');
  fs.chmodSync(dir, 0o755);
  const gin = write(dir, 't.gin', TINY);
  const file = write(dir, 'a-file', 'x');
  expectCleanError(await run(['train', '--gin_config', gin, '--model_dir', file, '--quiet']), /--model_dir '.*a-file' exists and is not a folder/);
  expectCleanError(await run(['train', '--gin_config', gin, '--model_dir', path.join(file, 'run'), '--quiet']), /Cannot create the folder '.*a-file\/run.*a part of the path is a file.*\(ENOTDIR\)/);
  if (asRoot) {
    const locked = path.join(dir, 'root-only');
    fs.mkdirSync(locked, { mode: 0o755 });
    const r = await run(['train', '--gin_config', gin, '--model_dir', path.join(locked, 'run'), '--quiet'], { uid: NOBODY });
    expectCleanError(r, /Cannot create the folder '.*root-only\/run.*permission denied \(EACCES\)\.\n  hint: make it writable/);
    // A run directory taken away mid-run (its samples folder becomes unwritable): one sentence.
    const model = path.join(dir, 'run');
    fs.mkdirSync(path.join(model, 'samples'), { recursive: true });
    fs.chmodSync(dir, 0o777);
    fs.chmodSync(model, 0o777);
    fs.chmodSync(path.join(model, 'samples'), 0o555);
    const r2 = await run(['train', '--gin_config', gin, '--model_dir', model, '--quiet'], { uid: NOBODY });
    expectCleanError(r2, /Cannot .*samples.*permission denied \(EACCES\)/);
  }
});

maybe(BUILT)('--sweep_dir: a file, under a file, unwritable; an unwritable trial directory fails that trial only', async () => {
  const dir = tmp('fssweep');
  fs.chmodSync(dir, 0o755);
  const sweep = write(dir, 's.gin', "sweep.grid = {'ModularGAN.g_lr': [1e-4, 2e-4]}\n");
  const file = write(dir, 'a-file', 'x');
  const fake = `${process.execPath} ${path.join(__dirname, 'fake-train.js')}`;
  expectCleanError(await run(['sweep', 'run', sweep, '--sweep_dir', file, '--trial_command', fake]), /--sweep_dir '.*a-file' is a file, not a folder/);
  expectCleanError(await run(['sweep', 'run', sweep, '--sweep_dir', path.join(file, 'sd'), '--trial_command', fake]), /Cannot .*a-file\/sd.*: (a part of the path is a file.*\(ENOTDIR\)|something is already there)/);
  if (asRoot) {
    const r = await run(['sweep', 'run', sweep, '--sweep_dir', path.join(dir, 'sd-root'), '--trial_command', fake], { uid: NOBODY });
    expectCleanError(r, /Cannot create the folder '.*sd-root.*permission denied \(EACCES\)/);
  }
  // A trial directory that cannot hold its files (its status.json is a folder): that trial fails with one line.
  const sd = path.join(dir, 'sd');
  const plan = await run(['sweep', 'plan', sweep, '--json']);
  const ids = JSON.parse(plan.output.slice(plan.output.indexOf('{'))).trials.map((t: { id: string }) => t.id);
  fs.mkdirSync(path.join(sd, ids[0], 'status.json'), { recursive: true });
  const r = await run(['sweep', 'run', sweep, '--sweep_dir', sd, '--workers', '1', '--trial_command', fake]);
  expectCleanError(r, new RegExp(`failed: ${ids[0]}: Cannot .*status.json.*\\((EISDIR|ENOTEMPTY|EEXIST)\\)`));
  expect(r.output).toMatch(/1 trials done, 1 failed/);
});
