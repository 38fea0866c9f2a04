import type { BibRecordInput } from "@homeward/model";

/** Deterministic pseudo-random records for benchmarks (mulberry32 generator). */
export function syntheticRecords(n: number, seed = 1): BibRecordInput[] {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const syll = ["ka", "ro", "mi", "ten", "sa", "lu", "dor", "ve", "ni", "pal", "es", "tri", "mo", "gan", "fe", "zu", "bri", "cho"];
  const word = () => Array.from({ length: 2 + Math.floor(rnd() * 3) }, () => syll[Math.floor(rnd() * syll.length)]).join("");
  const vocab = Array.from({ length: 3000 }, word);
  const common = ["children", "family", "care", "foster", "reunification", "outcomes", "trial", "parents", "support", "services"];
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const words = (k: number) => Array.from({ length: k }, () => (rnd() < 0.15 ? pick(common) : pick(vocab))).join(" ");
  const journals = Array.from({ length: 300 }, () => `${words(2)} journal`);
  const surnames = Array.from({ length: 5000 }, () => word().replace(/^./, (c) => c.toUpperCase()));
  const base = Date.UTC(2024, 0, 1);
  return Array.from({ length: n }, (_, i) => ({
    id: `rec-${i}`,
    title: words(6 + Math.floor(rnd() * 10)).replace(/^./, (c) => c.toUpperCase()),
    abstract: words(120 + Math.floor(rnd() * 120)),
    authors: Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => `${pick(surnames)}, ${String.fromCharCode(65 + Math.floor(rnd() * 26))}`),
    journal: pick(journals),
    year: rnd() < 0.03 ? null : 1980 + Math.floor(rnd() * 45),
    volume: String(1 + Math.floor(rnd() * 60)),
    pages: `${1 + Math.floor(rnd() * 500)}-${501 + Math.floor(rnd() * 500)}`,
    doi: `10.${1000 + Math.floor(rnd() * 9000)}/${i.toString(36)}`,
    keywords: [pick(common), words(1)],
    createdAt: new Date(base + i * 1000).toISOString(),
  }));
}
