import type { Io } from "./io.js";

/**
 * A progress line on standard error for long commands: rewritten in place
 * on a terminal (at most every 100 ms), one line per tenth otherwise (logs,
 * CI), so standard output stays the command's answer alone.
 */
export function progressLine(io: Io, tty = Boolean(process.stderr.isTTY)): { report(fraction: number, message: string): void; done(): void } {
  let last = 0;
  let tenth = -1;
  let shown = false;
  return {
    report(fraction, message) {
      const pct = Math.max(0, Math.min(100, Math.floor(fraction * 100)));
      if (tty) {
        const now = Date.now();
        if (now - last < 100) return;
        last = now;
        io.err(`\rhomeward: ${String(pct).padStart(3)}% ${message}\u001b[K`);
        shown = true;
      } else if (Math.floor(pct / 10) > tenth) {
        tenth = Math.floor(pct / 10);
        io.err(`homeward: ${pct}% ${message}\n`);
      }
    },
    done() {
      if (tty && shown) io.err("\r\u001b[K");
    },
  };
}
