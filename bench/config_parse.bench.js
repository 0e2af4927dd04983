#!/usr/bin/env node
// Parses a generated 10,000-binding Gin file with the compiled config-lang (packages/config-lang/dist)
// and prints the time. Fails (exit 1) when parsing takes 1 s or more. Build first: `npx tsc -b`.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');

const dist = path.join(__dirname, '..', 'packages', 'config-lang', 'dist', 'index.js');
if (!fs.existsSync(dist)) {
  console.error(`config_parse: ${dist} is missing; run \`npx tsc -b\` first.`);
  process.exit(1);
}
const gin = require(dist);

const N = 10000;
const values = [
  (i) => String(i),
  (i) => `${i}e-4`,
  (i) => `'name_${i}'`,
  (i) => `[${i}, ${i + 1}.5, (1,), None]`,
  (i) => `{'k${i}': @scope/fn_${i % 7}(), ${i}: %MACRO_${i % 5}}`,
  (i) => (i % 2 ? 'True' : 'False'),
  (i) => `@mod.fn_${i % 11}`,
  (i) => `(-${i}, .5, "s" 'concat')`,
];
const lines = ['# generated', 'import compare_gan.gans'];
for (let i = 0; i < N; i++) {
  const scope = i % 3 === 0 ? `scope_${i % 13}/` : '';
  lines.push(`${scope}module_${i % 17}.Configurable_${i % 101}.param_${i} = ${values[i % values.length](i)}`);
}
const text = lines.join('\n') + '\n';
const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gin-bench-')), 'big.gin');
fs.writeFileSync(file, text);

// The first run is cold (JIT warm-up, parser self-analysis); then the best of 3 warm runs.
const c0 = performance.now();
const cpu0 = process.cpuUsage();
gin.loadFile(file);
const cpu = process.cpuUsage(cpu0);
const cold = performance.now() - c0;
const coldCpu = (cpu.user + cpu.system) / 1000;
const times = [];
let count = 0;
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  const { statements } = gin.loadFile(file);
  times.push(performance.now() - t0);
  count = statements.filter((s) => s.kind === 'binding').length;
}
const best = Math.min(...times);
fs.rmSync(path.dirname(file), { recursive: true, force: true });
console.log(
  `config_parse: ${count} bindings, ${(text.length / 1024).toFixed(0)} KiB: cold ${cold.toFixed(1)} ms ` +
    `(CPU ${coldCpu.toFixed(1)} ms; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores), ` +
    `warm best ${best.toFixed(1)} ms (runs: ${times.map((t) => t.toFixed(1)).join(', ')} ms)`,
);
if (count !== N) {
  console.error(`config_parse: expected ${N} bindings, parsed ${count}`);
  process.exit(1);
}
// Budget: 1 s for a warm parse, and 1 s of CPU for the cold one (the cold wall time is
// printed too, but on a shared, oversubscribed machine it measures the other processes).
if (best >= 1000 || coldCpu >= 1000) {
  console.error('config_parse: slower than the 1 s budget');
  process.exit(1);
}
