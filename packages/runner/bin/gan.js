#!/usr/bin/env node
'use strict';
require('../dist/index.js')
  .main(process.argv)
  .catch((err) => {
    process.stderr.write(`gan: ${err && err.message ? err.message : err}\n`);
    process.exit(1);
  });
