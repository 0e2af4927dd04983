#!/usr/bin/env node
/**
 * `node scripts/results/quote_in_configs.js`: writes, into the header comment of each shipped
 * Fashion-MNIST config, the FIDs that table 5 of docs/RESULTS.md measured for it (from the raw
 * files docs/results/shipped_configs/<config>--seed<k>.json), so that the number a user reads
 * beside a config comes from a committed raw file. The block starts with MARK and is replaced
 * on every run; a config with no raw file gets none.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const table = require('./tables/shipped_configs');
const { metricOf } = require('./lib');

const ROOT = path.resolve(__dirname, '..', '..');
const MARK = '# Measured FID at the quick-look budget';

function block(row, raws) {
  const steps = table.STEPS;
  const fid = (r, step) => metricOf((r.metrics || []).find((m) => m.step === step), 'fid');
  const name = Object.keys(raws[0].final).find((k) => k.startsWith('fid')) ?? 'fid';
  const bindings = [...row.width, 'options.batch_size = 32'].map((b) => `'${b}'`).join(', ');
  const seeds = raws.map((r) => `seed ${r.seed}: ${fid(r, steps / 2).toFixed(1)} at step ${steps / 2}, ${fid(r, steps).toFixed(1)} at step ${steps}`);
  return [
    `${MARK} (docs/RESULTS.md table 5; written by`,
    '# scripts/results/quote_in_configs.js from the raw files of `npm run results -- --table shipped_configs`):',
    `#   this file with ${bindings}, ${steps} steps;`,
    `#   ${name}, ${raws[0].num_samples} samples vs ${raws[0].num_samples} test images, ${raws[0].finished.slice(0, 10)}. Not the full budget's FID.`,
    ...seeds.map((s) => `#   ${s}`),
  ];
}

function main() {
  const dir = path.join(ROOT, 'docs', 'results', table.id);
  for (const row of table.rows) {
    const file = path.join(ROOT, row.config);
    const raws = fs.existsSync(dir)
      ? fs.readdirSync(dir).filter((f) => f.startsWith(`${row.id}--seed`) && f.endsWith('.json')).sort().map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))
      : [];
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    // Drop the previous block (MARK and the comment lines after it up to a blank comment line).
    const at = lines.findIndex((l) => l.startsWith(MARK));
    if (at >= 0) {
      let end = at + 1;
      while (end < lines.length && lines[end].startsWith('#') && lines[end] !== '#') end++;
      lines.splice(at, end - at + (lines[end] === '#' ? 1 : 0));
    }
    if (raws.length) {
      // After the header's first paragraph (the first '#' line on its own).
      const para = lines.findIndex((l) => l === '#');
      lines.splice(para >= 0 ? para + 1 : 0, 0, ...block(row, raws), '#');
    }
    fs.writeFileSync(file, lines.join('\n'));
    process.stdout.write(`${row.config}: ${raws.length ? `${raws.length} seed(s) quoted` : 'no raw file, nothing quoted'}\n`);
  }
}

main();
