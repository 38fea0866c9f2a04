// Memory of duplicate detection, as a project's run holds it: records handed to the detector a page
// of 2,000 at a time (as `dedupeProject` reads them) and nothing else kept, then compared and grouped.
// Prints the heap the detector holds per record once every record is in (after a full GC), the most
// the heap grew over that while comparing (one kind of blocks, the pairs judged), and the process's
// peak RSS. `--snapshot FILE` writes a heap snapshot once the records are in.
//
// usage: node --expose-gc bench/dedupe-memory.mjs [N ...] [--from <another build's dist/index.js>]
//   (after `npx tsc -b`; N defaults to 100000 300000, each in a process of its own)
// Records: `syntheticRecords` of @homeward/store (the scale bench's), 1% copies of an earlier record.
import { execFileSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import v8 from "node:v8";

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const from = opt("--from");
const snapshot = opt("--snapshot");
const ns = args.length ? args.map(Number) : [100_000, 300_000];
if (ns.length > 1 || !globalThis.gc) {
  for (const n of ns)
    execFileSync(process.execPath, ["--expose-gc", "--max-old-space-size=8192", fileURLToPath(import.meta.url), String(n), ...(from ? ["--from", from] : []), ...(snapshot ? ["--snapshot", snapshot] : [])], { stdio: "inherit" });
  process.exit(0);
}
const N = ns[0];
const { syntheticRecords } = await import("@homeward/store");
const lib = await import(from ? pathToFileURL(from).href : "../dist/index.js");
const mb = (x) => `${(x / 1048576).toFixed(0)} MB`;
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

/** A part of the project's records as the rules read them, built in a function of its own so nothing of it outlives the call. */
function part(start, n) {
  const recs = syntheticRecords(n, 1 + start).map((r, i) => ({ ...r, id: `r${start + i}` }));
  for (let i = 100; i < recs.length; i += 100) recs[i] = { ...recs[i - 50], id: recs[i].id };
  return recs.map((r) => ({ id: r.id, title: r.title, authors: r.authors, year: r.year == null ? undefined : String(r.year), journal: r.journal, volume: r.volume, pages: r.pages, doi: r.doi, abstractLength: r.abstract.length, type: "other" }));
}

const h0 = heap();
const t0 = performance.now();
let result;
let peak = 0;
const sample = (p) => {
  const u = process.memoryUsage().heapUsed;
  if (u > peak) peak = u;
};
let held;
if (lib.Detector) {
  const d = new lib.Detector();
  for (let start = 0; start < N; start += 100_000) {
    const all = part(start, Math.min(100_000, N - start));
    for (let k = 0; k < all.length; k += 2000) d.add(all.slice(k, k + 2000));
  }
  held = heap() - h0;
  if (snapshot) v8.writeHeapSnapshot(snapshot);
  result = d.finish({}, { onProgress: sample, multiOnly: true });
} else {
  // A build before the paged detector: every input held, then `dedupe` (its records and norms both).
  const inputs = [];
  for (let start = 0; start < N; start += 100_000) inputs.push(...part(start, Math.min(100_000, N - start)));
  held = heap() - h0;
  result = lib.dedupe(inputs, {}, { onProgress: sample });
}
const groups = result.groups.filter((g) => g.length > 1).length;
console.log(
  `${N.toLocaleString("en")} records${from ? ` (${from})` : ""}: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${groups.toLocaleString("en")} groups; ` +
    `held once read ${mb(held)} (${Math.round(held / N).toLocaleString("en")} bytes a record), heap at most ${mb(peak - h0)} over the start, peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}`,
);
