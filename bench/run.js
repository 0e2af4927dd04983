#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.js in turn (or those named on the command line).
// The long ones (train_step: every Fashion-MNIST config against PyTorch) run only when named.
'use strict';
const { readdirSync } = require('fs');
const { join } = require('path');
const { spawnSync } = require('child_process');

const only = process.argv.slice(2);
const NAMED_ONLY = ['train_step.bench.js'];
const files = readdirSync(__dirname)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => (only.length === 0 ? !NAMED_ONLY.includes(f) : only.some((o) => f.includes(o))))
  .sort();
let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f}`);
  const r = spawnSync(process.execPath, [join(__dirname, f)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
