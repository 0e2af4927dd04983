'use strict';
/**
 * A V8 code cache for the CommonJS modules of this project (packages/<name>/dist) and of the two
 * libraries every `gan` command loads (commander, reflect-metadata): compiling them again at each
 * start is ~10% of `gan config check`'s start-up here. Node 22.1+ does this itself
 * (module.enableCompileCache, used instead when present); Node 20 has no such thing.
 *
 * The cache is a folder, `dist/compile-cache/` next to the runner's build (git-ignored), with one
 * file per module: a key (Node release, path, size and mtime) then V8's data. A module whose file
 * changed, or whose data V8 rejects (other V8 flags), is compiled as usual; at exit, the data of
 * what was compiled anew is written (to a temporary file, then renamed); a read-only install goes
 * without, silently.
 * Chevrotain has a cache of its own (packages/config-lang/src/syntax/chevrotain.ts).
 */
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const Module = require('module');

/** A cache file is `key\n` then V8's data; the key names what V8 itself does not check. */
function readData(file, key) {
  try {
    const buf = fs.readFileSync(file);
    const nl = buf.indexOf(10);
    return nl > 0 && buf.toString('utf8', 0, nl) === key ? buf.subarray(nl + 1) : undefined;
  } catch {
    return undefined; // none yet
  }
}

/** Writes each fresh module's data (to a temporary file, then renamed); false when it cannot. */
function writeData(dir, fresh) {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch {
    return false;
  }
  for (const { file, key, script } of fresh) {
    const tmp = `${file}.${process.pid}.tmp`;
    let fd;
    try {
      fd = fs.openSync(tmp, 'w'); // first: a read-only install fails here, before any work
      fs.writeSync(fd, `${key}\n`);
      fs.writeSync(fd, script.createCachedData());
      fs.closeSync(fd);
      fd = undefined;
      fs.renameSync(tmp, file);
    } catch {
      if (fd !== undefined) fs.closeSync(fd);
      try {
        fs.unlinkSync(tmp);
      } catch {
        // nothing was written
      }
      return false;
    }
  }
  return true;
}

/** The function Node gives a module as `require` (lib/internal/modules/helpers.js, makeRequireFunction). */
function makeRequire(mod) {
  const require = function require(id) {
    return mod.require(id);
  };
  require.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

/** Installs the cache (in `cacheDir`) for modules under `packagesDir` (their dist/ folders) and the libraries above. */
function install(cacheDir, packagesDir) {
  if (typeof Module.enableCompileCache === 'function') {
    Module.enableCompileCache();
    return;
  }
  const sep = path.sep;
  /** The cache file's name for a module ('config-lang~dist~index.js', 'commander~lib~command.js'), or undefined if not cached. */
  const cacheName = (f) => {
    if (!f.endsWith('.js')) return undefined;
    const modules = `${sep}node_modules${sep}`;
    const nm = f.lastIndexOf(modules);
    let rel;
    if (nm >= 0) {
      rel = f.slice(nm + modules.length);
      if (!rel.startsWith(`commander${sep}`) && !rel.startsWith(`reflect-metadata${sep}`)) return undefined;
    } else if (f.startsWith(packagesDir) && f.includes(`${sep}dist${sep}`)) rel = f.slice(packagesDir.length);
    else return undefined;
    return rel.split(sep).join('~');
  };
  const fresh = [];
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename) {
    const name = content.startsWith('#!') ? undefined : cacheName(filename);
    let key;
    try {
      const st = name && fs.statSync(filename);
      key = st && `gan-compile-cache 1 ${process.version} ${process.arch} ${filename} ${st.size} ${st.mtimeMs}`;
    } catch {
      key = undefined;
    }
    if (!key) return compile.call(this, content, filename);
    const file = path.join(cacheDir, `${name}.v8`);
    const cachedData = readData(file, key);
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    if (cachedData === undefined || script.cachedDataRejected) {
      if (fresh.length === 0) process.once('exit', () => writeData(cacheDir, fresh));
      fresh.push({ file, key, script });
    }
    const fn = script.runInThisContext({ displayErrors: true });
    return fn.call(this.exports, this.exports, makeRequire(this), this, filename, path.dirname(filename));
  };
}

module.exports = { install };
