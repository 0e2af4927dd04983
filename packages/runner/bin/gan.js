#!/usr/bin/env node
'use strict';
// chevrotain (the Gin parser) is an ES module loaded with require(); some Node 20.x/22.x releases
// flag that as an ExperimentalWarning on stderr. It is expected here: hide that one warning only.
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0] && rest[0].type;
  const name = type || (warning && warning.name);
  const text = String(warning && warning.message !== undefined ? warning.message : warning);
  if (name === 'ExperimentalWarning' && /ES Module|require\(\) of ES|require\(esm\)/i.test(text)) return;
  return emitWarning.call(process, warning, ...rest);
};
require('../dist/index.js')
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err) => {
    const detail = process.env.GAN_DEBUG && err && err.stack ? err.stack : `${err && err.message ? err.message : err} (GAN_DEBUG=1 shows the stack trace)`;
    process.stderr.write(`gan: internal error (please report it): ${detail}\n`);
    process.exitCode = 1;
  });
