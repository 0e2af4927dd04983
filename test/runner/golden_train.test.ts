/**
 * `gan train` end to end with a fixed seed: the losses in metrics.jsonl and the sample grid must
 * equal what the runner wrote before the training loop became hooks (issue 14).
 * GAN_RECORD_GOLDEN=1 rewrites golden_train.json.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { expectOk, gan, tmpdir, TINY_GIN, writeGin } from './fixtures';

jest.setTimeout(120000);
const FILE = path.join(__dirname, 'golden_train.json');
const RECORD = process.env.GAN_RECORD_GOLDEN === '1';

test('a fixed-seed run writes the recorded losses and sample grid', async () => {
  const dir = tmpdir('golden');
  const gin = writeGin(dir, 'tiny.gin', TINY_GIN + '\nrun_config.log_every_steps = 1\n');
  const model = path.join(dir, 'run');
  expectOk(await gan('train', '--gin_config', gin, '--model_dir', model));
  const losses = fs
    .readFileSync(path.join(model, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .map((r) => ({ step: r.step, d_loss: r.d_loss, g_loss: r.g_loss }));
  const sample = createHash('sha256').update(fs.readFileSync(path.join(model, 'samples', 'step-6.png'))).digest('hex');
  const got = { losses, sample };
  if (RECORD) fs.writeFileSync(FILE, JSON.stringify(got, null, 1) + '\n');
  else expect(got).toEqual(JSON.parse(fs.readFileSync(FILE, 'utf8')));
});
