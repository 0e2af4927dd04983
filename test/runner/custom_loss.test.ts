/** A user-defined loss in a .ts file next to a .gin file, loaded by `import` and trained with. */
import * as fs from 'fs';
import * as path from 'path';
import { expectOk, gan, tmpdir, TINY_GIN, writeGin } from './fixtures';

jest.setTimeout(120000);

test('`import my_losses` loads a loss from a .ts file next to the .gin file; `gan train` uses it', async () => {
  const dir = tmpdir('custom-loss');
  const included = path.resolve(__dirname, 'fixtures/custom_loss/custom_loss.gin');
  // The import is resolved relative to the file holding it (the included one), not to this one.
  const gin = writeGin(dir, 'run.gin', `${TINY_GIN.replace('options.training_steps = 6', 'options.training_steps = 1')}\ninclude '${included}'\n`);
  const model = path.join(dir, 'run');
  expectOk(await gan('train', '--gin_config', gin, '--model_dir', model));
  const [m] = fs.readFileSync(path.join(model, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(m.step).toBe(1);
  // Hinge terms are >= 0, and the bound offset (100) lands on D's loss only.
  expect(m.d_loss).toBeGreaterThanOrEqual(100);
  expect(m.g_loss).toBeLessThan(50);
  const op = fs.readFileSync(path.join(model, 'operative_config-0.gin'), 'utf8');
  // The operative config records where the module was loaded from, so the run reproduces from it alone.
  expect(op).toMatch(/^import my_losses {2}# loaded from .*fixtures[\\/]custom_loss[\\/]my_losses\.ts$/m);
  expect(op).toMatch(/loss\.fn = @(my_losses\.)?shifted_hinge$/m);
  expect(op).toMatch(/shifted_hinge\.offset = 100$/m);
});
