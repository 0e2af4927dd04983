/**
 * The `gan` command line. Subcommands are added by their own modules under ./commands.
 */
import 'reflect-metadata';
import { Command } from 'commander';
import { configCommand } from './commands/config';

export function buildProgram(): Command {
  const program = new Command('gan');
  program
    .description('Compare GAN for Node.js: train, evaluate and sweep GANs configured with Gin files.')
    .version(require('../package.json').version);
  program.addCommand(configCommand());
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  const program = buildProgram();
  await program.parseAsync(argv);
}
