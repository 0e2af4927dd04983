/**
 * `gan config parse|fmt|check`: the Gin language on the command line.
 *
 *   gan config parse FILE... [--binding 'a.b = 1']... [--json]   statements, includes expanded
 *   gan config fmt FILE [--write]                                 canonical form (comments kept)
 *   gan config check FILE... [--binding ...]                      validate against the registry
 *   gan config docs [--out FILE]                                  Markdown reference of every configurable
 *
 * `check` and `docs` read the configurable manifest (../manifest) instead of loading the models,
 * so that every `gan config` command starts without TensorFlow.js.
 *
 * Bad input never prints a stack trace: errors go to stderr as `FILE:LINE:COL: error: ...`
 * with the source line, a caret and a hint, and the exit code is 1.
 */
import * as fs from 'fs';
import { Command, Option } from 'commander';
import {
  checkConfigFiles,
  Config,
  ConfigError,
  ConfigErrors,
  formatSource,
  formatStatement,
  loadConfigFiles,
  manifestMarkdown,
  statementToJSON,
} from '@cgan/config-lang';
import * as path from 'path';
import { declareProjectConfigurables, loadManifest, manifestFile } from '../manifest';
import { runConfigProblems } from '../wiring/run_config_problems';

const collect = (v: string, prev: string[]) => [...prev, v];

/** Runs an action; configuration errors become formatted messages on stderr and exit code 1. */
function guarded<A extends unknown[]>(fn: (...args: A) => void | Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      if (e instanceof ConfigError || e instanceof ConfigErrors) {
        process.stderr.write(e.format() + '\n');
        process.exitCode = 1;
        return;
      }
      throw e;
    }
  };
}

/** `--search_path` (as every gan command spells flags); `--search-path` stays as a hidden alias. */
function searchPathAlias(): Option {
  return new Option('--search-path <dir>', 'alias of --search_path').argParser(collect).default([]).hideHelp();
}
const searchPaths = (o: { search_path: string[]; searchPath?: string[] }) => [...o.search_path, ...(o.searchPath ?? [])];

function requireInput(files: string[], bindings: string[]): void {
  if (!files.length && !bindings.length) {
    throw new ConfigError('No config files or bindings given.', undefined, "pass one or more .gin files and/or --binding 'configurable.param = value'");
  }
}

export function configCommand(): Command {
  const cmd = new Command('config').description('Parse, format and check Gin configuration files.');

  cmd
    .command('parse')
    .description('Parse Gin files and bindings; print their statements (includes expanded in place; imports are not loaded).')
    .argument('[files...]', 'Gin files, parsed in order')
    .option('-b, --binding <binding>', 'a binding string parsed after the files (repeatable)', collect, [])
    .option('-I, --search_path <dir>', 'a directory searched for included files (repeatable)', collect, [])
    .addOption(searchPathAlias())
    .option('--json', 'print {"statements": [...]} as JSON')
    .action(
      guarded((files: string[], opts: { binding: string[]; search_path: string[]; searchPath?: string[]; json?: boolean }) => {
        requireInput(files, opts.binding);
        const { statements } = loadConfigFiles(files, opts.binding, { searchPaths: searchPaths(opts), numberTexts: !opts.json });
        if (opts.json) process.stdout.write(JSON.stringify({ statements: statements.map(statementToJSON) }) + '\n');
        else for (const st of statements) process.stdout.write(`${formatStatement(st)}\n`);
      }),
    );

  cmd
    .command('fmt')
    .description('Print a Gin file in canonical form (idempotent; comments kept).')
    .argument('<file>', 'the Gin file')
    .option('-w, --write', 'rewrite the file in place instead of printing it')
    .action(
      guarded((file: string, opts: { write?: boolean }) => {
        let text: string;
        try {
          text = fs.readFileSync(file, 'utf8');
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          throw new ConfigError(`Cannot read config file '${file}': ${code === 'ENOENT' ? 'no such file' : (e as Error).message}.`);
        }
        const out = formatSource(text, file);
        if (!opts.write) process.stdout.write(out);
        else if (out !== text) fs.writeFileSync(file, out);
      }),
    );

  cmd
    .command('check')
    .description('Validate Gin files and bindings against every configurable the project registers (and those of the modules they import; every error), then build the run as `gan train --dry_run` does: OK only for configs that build.')
    .argument('[files...]', 'Gin files, parsed in order')
    .option('-b, --binding <binding>', 'a binding string checked after the files (repeatable)', collect, [])
    .option('-I, --search_path <dir>', 'a directory searched for included files and imported modules (repeatable)', collect, [])
    .addOption(searchPathAlias())
    .option('--syntax_only', 'only the language and registry checks (no build; never loads TensorFlow.js)')
    .action(
      guarded(async (files: string[], opts: { binding: string[]; search_path: string[]; searchPath?: string[]; syntax_only?: boolean }) => {
        requireInput(files, opts.binding);
        // The manifest declares the configurables the models register (without loading them).
        declareProjectConfigurables();
        const bound = new Config();
        const errors = checkConfigFiles(files, opts.binding, { searchPaths: searchPaths(opts), config: bound });
        if (errors.length) {
          process.stderr.write(errors.map((e) => e.format()).join('\n') + '\n');
          process.stderr.write(`${errors.length} error${errors.length === 1 ? '' : 's'} found.\n`);
          process.exitCode = 1;
          return;
        }
        // What a run needs of the bound values (dataset.name, callables) is known without TF.js
        // too, in the words train uses; fragments (`--syntax_only`) need not be whole runs.
        const runProblems = opts.syntax_only ? [] : runConfigProblems(bound);
        if (runProblems.length) {
          process.stderr.write((runProblems.length === 1 ? runProblems[0] : new ConfigErrors(runProblems)).format() + '\n');
          process.exitCode = 1;
          return;
        }
        // Then what `gan train` needs: the same checks and build as its dry run, same messages.
        if (!opts.syntax_only) {
          const quiet = { info: () => undefined, warn: () => undefined };
          // The language and registry verdict comes at start-up speed; say so before the ~1 s build.
          if (process.stderr.isTTY) process.stderr.write('language and registry: OK; building the run as `gan train --dry_run` does (loads TensorFlow.js)...\n');
          // Loaded only now: building loads the models and TensorFlow.js (the checks above do not).
          const { formatError } = require('../errors') as typeof import('../errors');
          const { buildForCheck } = require('../wiring/build_check') as typeof import('../wiring/build_check');
          const { disposeRun } = require('../wiring/container') as typeof import('../wiring/container');
          try {
            disposeRun(await buildForCheck({ ginConfigs: files, ginBindings: opts.binding, dataDir: null, searchPaths: searchPaths(opts), probeData: true }, quiet, quiet));
          } catch (e) {
            process.stderr.write(formatError(e) + '\n');
            process.exitCode = 1;
            return;
          }
        }
        const what = [...files, ...(opts.binding.length ? [`${opts.binding.length} binding string(s)`] : [])].join(', ');
        process.stdout.write(`OK: ${what}${opts.syntax_only ? ' (language and registry only)' : ' (builds)'}\n`);
      }),
    );

  cmd
    .command('docs')
    .description('Print a Markdown reference of every configurable: its parameters, types, defaults, docs and source.')
    .option('-o, --out <file>', 'write it to this file instead of stdout')
    .action(
      guarded((opts: { out?: string }) => {
        const m = loadManifest();
        const from = opts.out ? path.dirname(path.resolve(opts.out)) : process.cwd();
        const link = (file: string) => path.relative(from, path.resolve(path.dirname(manifestFile), file)).split(path.sep).join('/');
        const md = manifestMarkdown(m.configurables, link);
        if (opts.out) fs.writeFileSync(opts.out, md);
        else process.stdout.write(md);
      }),
    );

  // Usage errors throw (as for the other commands) so that main() reports them with exit code 2.
  for (const c of [cmd, ...cmd.commands]) c.exitOverride();
  return cmd;
}
