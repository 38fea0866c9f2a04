// The benchmark data set, shared by this package's bench and the CLI's whole-process bench so both time the same fits.

/** Deterministic data: ~4 outcomes per study, a numeric and a 4-level moderator. */
export function dataset(k, seed) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-300)) * Math.cos(2 * Math.PI * rnd());
  const study = [], esid = [], x = [], g = [], yi = [], vi = [];
  let st = 0, u = 0, left = 0;
  for (let i = 0; i < k; i++) {
    if (left === 0) { st++; left = 1 + Math.floor(rnd() * 7); u = gauss() * Math.sqrt(0.08); }
    left--;
    const xi = rnd() * 10;
    const gi = ["a", "b", "c", "d"][Math.floor(rnd() * 4)];
    const v = 0.01 + rnd() * 0.1;
    study.push(String(st)); esid.push(String(i + 1)); x.push(xi); g.push(gi); vi.push(v);
    yi.push(0.2 + 0.02 * xi + (gi === "b" ? 0.1 : gi === "c" ? -0.1 : 0) + u + gauss() * Math.sqrt(0.03) + gauss() * Math.sqrt(v));
  }
  return { study, esid, x, g, yi, vi };
}
