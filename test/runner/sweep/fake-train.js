#!/usr/bin/env node
/**
 * A fake, fast `gan train` for sweep tests. Same flags: --model_dir, --gin_config,
 * --gin_bindings 'SweepToyGAN.g_lr = 0.001'. Writes operative_config-0.gin, metrics.jsonl
 * (with a `fid` that depends on the bindings) and a checkpoint file per step; resumes from
 * that checkpoint. Env: FAKE_STEPS (default 6), FAKE_STEP_MS (default 40),
 * FAKE_FAIL_IF ('key=value': exit 1 when that binding has that value).
 * On success, appends one line to <model_dir>/completions (tests count them).
 */
'use strict';
const fs = require('fs');
const path = require('path');
const args = process.argv.slice(2);
if (args[0] !== 'train') { console.error('fake-train: expected "train"'); process.exit(2); }
let dir; const bindings = {};
for (let i = 1; i < args.length; i++) {
  if (args[i] === '--model_dir') dir = args[++i];
  else if (args[i] === '--gin_bindings') { const [k, v] = args[++i].split(/\s*=\s*/); bindings[k] = v; }
  else if (args[i] === '--gin_config') i++;
}
const steps = Number(process.env.FAKE_STEPS || 6);
const stepMs = Number(process.env.FAKE_STEP_MS || 40);
const fail = process.env.FAKE_FAIL_IF;
if (fail) { const [k, v] = fail.split('='); if (bindings[k] === v) { console.error(`fake-train: configured to fail for ${k}=${v}`); process.exit(1); } }
fs.mkdirSync(dir, { recursive: true });
const ckpt = path.join(dir, 'checkpoint');
let step = fs.existsSync(ckpt) ? Number(fs.readFileSync(ckpt, 'utf8')) : 0;
fs.writeFileSync(path.join(dir, 'operative_config-0.gin'), `options.training_steps = ${steps}\n` + Object.entries(bindings).map(([k, v]) => `${k} = ${v}\n`).join(''));
const lr = Number(bindings['SweepToyGAN.g_lr'] || 0.001);
const loss = String(bindings['SweepToyGAN.loss_fn'] || '');
const target = Math.abs(Math.log10(lr) + 3.5) * 10 + (loss.includes('hinge') ? 0 : 5);
const t0 = Date.now();
const tick = () => {
  step++;
  const fid = target + 50 / step;
  fs.appendFileSync(path.join(dir, 'metrics.jsonl'), JSON.stringify({ step, d_loss: 1 / step, fid, wall: { elapsed_sec: (Date.now() - t0) / 1000, steps_per_sec: 1000 / stepMs } }) + '\n');
  fs.writeFileSync(ckpt, String(step));
  if (step >= steps) {
    fs.appendFileSync(path.join(dir, 'completions'), `${process.pid}\n`);
    console.log(`fake-train: done at step ${step}`);
    return;
  }
  setTimeout(tick, stepMs);
};
if (step >= steps) console.log('fake-train: nothing to do');
else setTimeout(tick, stepMs);
