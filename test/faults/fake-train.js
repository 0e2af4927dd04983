#!/usr/bin/env node
/**
 * A fake `gan train` for sweep fault tests: FAKE_STEPS steps of FAKE_STEP_MS each, a
 * `checkpoint` file per step (resumed from), `completions` on success. Every SIGTERM/SIGINT it
 * receives is appended to `signals`; the first one stops it after writing a stop checkpoint
 * (exit 130), like the real trainer; a second one quits at once (exit 131).
 */
'use strict';
const fs = require('fs');
const path = require('path');
const args = process.argv.slice(2);
let dir;
for (let i = 1; i < args.length; i++) if (args[i] === '--model_dir') dir = args[++i];
const steps = Number(process.env.FAKE_STEPS || 6);
const stepMs = Number(process.env.FAKE_STEP_MS || 40);
fs.mkdirSync(dir, { recursive: true });
const ckpt = path.join(dir, 'checkpoint');
let step = fs.existsSync(ckpt) ? Number(fs.readFileSync(ckpt, 'utf8')) : 0;
fs.writeFileSync(path.join(dir, 'operative_config-0.gin'), `options.training_steps = ${steps}\n`);
fs.writeFileSync(path.join(dir, 'started'), String(process.pid));
let stopping = false;
const onSig = (sig) => {
  fs.appendFileSync(path.join(dir, 'signals'), `${sig}\n`);
  if (stopping) process.exit(131);
  stopping = true;
  setTimeout(() => {
    fs.writeFileSync(ckpt, String(step));
    fs.appendFileSync(path.join(dir, 'stop-checkpoints'), `${step}\n`);
    process.exit(130);
  }, 300);
};
process.on('SIGTERM', onSig);
process.on('SIGINT', onSig);
const tick = () => {
  if (stopping) return;
  step++;
  fs.appendFileSync(path.join(dir, 'metrics.jsonl'), JSON.stringify({ step, fid: 10 / step }) + '\n');
  fs.writeFileSync(ckpt, String(step));
  if (step >= steps) {
    fs.appendFileSync(path.join(dir, 'completions'), `${process.pid}\n`);
    process.exit(0);
  }
  setTimeout(tick, stepMs);
};
setTimeout(tick, stepMs);
