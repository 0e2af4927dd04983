/**
 * `gan lsp --stdio`: the Gin language server (packages/language-server) for editors, with the
 * project's configurables declared from the manifest (TensorFlow.js is never loaded).
 */
import { Command } from 'commander';
import { Io } from '../io';

export function registerLsp(program: Command, _io: Io, run: (p: Promise<unknown>) => void): void {
  program
    .command('lsp')
    .description('Run the Gin language server (diagnostics, completion, hover, ...) for editors.')
    .option('--stdio', 'talk JSON-RPC over stdin/stdout (the only transport; the default)')
    .action(() => {
      run(
        (async () => {
          const { declareProjectConfigurables } = await import('../manifest');
          const { startServer } = await import('@cgan/language-server');
          // The note about a rebuilt manifest goes to stderr (the client's log), never stdout.
          declareProjectConfigurables((s) => process.stderr.write(s));
          // Configurables that a config's imports load get a source line too (go to definition).
          const { registry } = await import('@cgan/config-lang');
          registry.recordSources = true;
          process.setSourceMapsEnabled(true);
          await startServer();
        })(),
      );
    });
}
