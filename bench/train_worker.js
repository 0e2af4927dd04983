#!/usr/bin/env node
'use strict';
/**
 * One side of `npm run bench train`: trains CONFIG for WARMUP + STEPS steps through the runner's
 * own `gan train` code (trainCommand: the same wiring, data pipeline, trainer and kernels) in a
 * temporary --model_dir, times the STEPS steps after the warm-up and prints one JSON line:
 * {"ms_per_step", "gflop_per_step", "gflops", "peak_rss_mb", "kernels"}.
 *   node bench/train_worker.js gin-configs/fashion_mnist/sndcgan.gin 3 2
 * Needs the build (npx tsc -b). Checkpoints and samples fall outside the timed steps.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const [config, stepsArg, warmupArg] = process.argv.slice(2);
const steps = Number(stepsArg || 3), warmup = Number(warmupArg || 2);
const { trainCommand } = require(path.join(root, 'packages/runner/dist/commands/train.js'));
const { startKernelProfile, nativeKernelFamilyName } = require('@cgan/models');

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cgan-bench-'));
  const times = [];
  let profile = null;
  let report = null;
  let seen = 0;
  const quietIo = { out: () => {}, err: (s) => (/^error/i.test(s) ? process.stderr.write(s) : undefined), progressStream: { isTTY: false, write: () => true } };
  try {
    await trainCommand(
      {
        model_dir: path.join(dir, 'run'),
        gin_config: [path.resolve(root, config)],
        // one step past the timed ones: the final checkpoint and samples come after it
        gin_bindings: [`options.training_steps = ${warmup + steps + 1}`, 'runtime.seed = 1', 'run_config.save_checkpoints_steps = 1000000', 'run_config.save_samples_steps = 1000000'],
        schedule: 'train',
        eval_every_steps: 1000000,
        quiet: true,
      },
      quietIo,
      {
        afterStep: () => {
          seen++;
          times.push(performance.now());
          if (seen === warmup) profile = startKernelProfile();
          if (seen === warmup + steps && profile) {
            report = profile.report(steps, times[times.length - 1] - times[warmup - 1]);
            profile.stop();
            profile = null;
          }
        },
      },
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const per = times.slice(warmup - 1, warmup + steps);
  const d = per.slice(1).map((t, i) => t - per[i]).sort((a, b) => a - b);
  const ms = d[Math.floor(d.length / 2)];
  console.log(
    JSON.stringify({
      ms_per_step: Math.round(ms * 10) / 10,
      gflop_per_step: report ? Math.round(report.gflopPerStep * 100) / 100 : null,
      gflops: report ? Math.round((report.gflopPerStep / (ms / 1000)) * 10) / 10 : null,
      cpu_ms_per_step: report ? Math.round(report.cpuMsPerStep) : null,
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      kernels: nativeKernelFamilyName() || 'wasm',
    }),
  );
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
