// Timing of whole processes, shared by the CLI benches.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";

const gnuTime = existsSync("/usr/bin/time");

/**
 * Wall and CPU seconds of one whole process. CPU time comes from GNU time
 * (node cannot read a child's CPU time) and is null without it; on a shared
 * machine it is the steadier figure.
 */
export function timeProcess(args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = gnuTime
    ? spawnSync("/usr/bin/time", ["-f", "%e %U %S", ...args], { encoding: "utf8", maxBuffer: 1 << 28, ...opts })
    : spawnSync(args[0], args.slice(1), { encoding: "utf8", maxBuffer: 1 << 28, ...opts });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited with ${r.status}: ${r.stderr}`);
  if (!gnuTime) return { wall, cpu: null, stdout: r.stdout };
  const [, user, sys] = r.stderr.trim().split("\n").at(-1).split(" ").map(Number);
  return { wall, cpu: user + sys, stdout: r.stdout };
}

export function median(xs) {
  if (xs.some((x) => x === null)) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export const seconds = (x) => (x === null ? "n/a" : `${x.toFixed(2)} s`);

export const load = () => `load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`;
