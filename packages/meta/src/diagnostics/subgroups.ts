/**
 * Subgroup analysis as the review describes it (Borenstein et al. 2009,
 * "Introduction to Meta-Analysis", ch. 19, separate τ² per subgroup): a
 * separate model of the same kind is fitted to each level of the grouping
 * column, then the between-groups statistic is the Q of a fixed-effect
 * model on the subgroup estimates,
 *
 *   Q_B = Σ_g (θ̂_g − θ̄)² / SE_g²,  θ̄ = Σ θ̂_g/SE_g² / Σ 1/SE_g²,  df = G − 1,
 *
 * and Q_W,g is each subgroup model's residual heterogeneity statistic Q_E.
 * This equals metafor's `rma(est, sei = se, method = "FE")` on the
 * per-level fits.
 */
import { pChisqUpper } from "../dist.js";
import { MetaInputError } from "../errors.js";
import type { RmaFit } from "../types.js";

export interface SubgroupAnalysis {
  /** Levels, sorted (code-point order). Arrays below follow this order. */
  levels: string[];
  k: number[];
  estimate: number[];
  se: number[];
  ciLower: number[];
  ciUpper: number[];
  /** τ² (univariate) or Σσ² (multilevel) per subgroup. */
  tau2: number[];
  QW: number[];
  QWdf: number[];
  QWp: number[];
  QB: number;
  QBdf: number;
  QBp: number;
}

export function subgroupAnalysis(fit: RmaFit, group: ArrayLike<string>): SubgroupAnalysis {
  if (fit.p !== 1 || !fit.intercept) throw new MetaInputError("subgroup analysis applies to models without moderators");
  if (group.length !== fit.k) throw new MetaInputError(`the subgroup column has ${group.length} values for ${fit.k} outcomes`);
  const rowsByLevel = new Map<string, number[]>();
  for (let i = 0; i < fit.k; i++) {
    const g = group[i];
    if (typeof g !== "string" || g === "") throw new MetaInputError(`row ${i + 1}: the subgroup value is missing`);
    const rows = rowsByLevel.get(g);
    if (rows) rows.push(i);
    else rowsByLevel.set(g, [i]);
  }
  const levels = [...rowsByLevel.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (levels.length < 2) throw new MetaInputError(`subgroup analysis needs at least 2 levels, got ${levels.length}`);
  const res: SubgroupAnalysis = {
    levels, k: [], estimate: [], se: [], ciLower: [], ciUpper: [], tau2: [], QW: [], QWdf: [], QWp: [], QB: NaN, QBdf: levels.length - 1, QBp: NaN,
  };
  for (const level of levels) {
    const rows = rowsByLevel.get(level)!;
    let f: RmaFit;
    try {
      f = fit.refit(rows);
    } catch (err) {
      throw new MetaInputError(`subgroup "${level}" (${rows.length} outcomes) cannot be fitted: ${err instanceof Error ? err.message : String(err)}`);
    }
    const c = f.coefficients[0];
    res.k.push(rows.length);
    res.estimate.push(c.estimate);
    res.se.push(c.se);
    res.ciLower.push(c.ciLower);
    res.ciUpper.push(c.ciUpper);
    res.tau2.push(f.model === "uni" ? f.tau2 : f.sigma2.reduce((a, s) => a + s, 0));
    res.QW.push(f.QE);
    res.QWdf.push(f.QEdf);
    res.QWp.push(f.QEp);
  }
  let sw = 0, swy = 0;
  for (let g = 0; g < levels.length; g++) {
    const w = 1 / res.se[g] ** 2;
    sw += w;
    swy += w * res.estimate[g];
  }
  const mean = swy / sw;
  res.QB = res.estimate.reduce((a, e, g) => a + (e - mean) ** 2 / res.se[g] ** 2, 0);
  res.QBp = pChisqUpper(res.QB, res.QBdf);
  return res;
}
