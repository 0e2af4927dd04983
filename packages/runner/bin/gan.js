#!/usr/bin/env node
'use strict';
require('../dist/index.js')
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err) => {
    process.stderr.write(`gan: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  });
