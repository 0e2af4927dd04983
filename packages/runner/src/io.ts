/** Where the CLI writes: injectable so tests can capture output and run commands in-process. */
export interface Io {
  out(s: string): void;
  err(s: string): void;
  /** The stream a progress bar draws on (a bar only when it is a TTY). */
  progressStream: NodeJS.WriteStream;
}

export const processIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  progressStream: process.stderr,
};

export function loggerFor(io: Io, quiet = false) {
  return {
    info: (m: string) => {
      if (!quiet) io.err(`${m}\n`);
    },
    warn: (m: string) => io.err(`warning: ${m}\n`),
  };
}
