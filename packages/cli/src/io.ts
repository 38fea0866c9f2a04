/** Where a command writes. Injected so commands run in-process in tests exactly as from the shell. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Working directory that relative paths in flags and specs resolve against. */
  cwd: string;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  cwd: process.cwd(),
};
