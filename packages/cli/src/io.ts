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

/** An Io that keeps what a command writes, for running the CLI in-process (tests, embedding). */
export function captureIo(cwd: string): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: "",
    stderr: "",
    cwd,
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
  };
  return io;
}
