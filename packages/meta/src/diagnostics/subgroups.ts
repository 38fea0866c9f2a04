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
 *
 * A level with one study (one group of the outermost random effect in a
 * multilevel model; a single outcome in a univariate model, which knows
 * nothing of studies) has no between-study variance to estimate, so
 * it gets no subgroup estimate: it is listed with its counts, marked, and
 * left out of Q_B (df = estimated levels − 1), and the other levels are
 * analysed as if it were absent. A level whose model cannot be fitted for
 * another reason is treated the same way, with the reason.
 */
import { pChisqUpper } from "../dist.js";
import { MetaInputError } from "../errors.js";
import type { RmaFit } from "../types.js";

export interface SubgroupAnalysis {
  /** Levels, sorted (code-point order). Arrays below follow this order. */
  levels: string[];
  /** Outcomes per level. */
  k: number[];
  /** Multilevel models: studies (outermost random-effect groups) per level. A univariate model does not know them. */
  studies?: number[];
  /** Per level, why it has no estimate ("one study", or the fitting error); null when estimated. NaN statistics where not estimated. */
  notEstimated: (string | null)[];
  estimate: number[];
  se: number[];
  ciLower: number[];
  ciUpper: number[];
  /** τ² (univariate) or Σσ² (multilevel) per subgroup. */
  tau2: number[];
  QW: number[];
  QWdf: number[];
  QWp: number[];
  /** Between-subgroups test over the estimated levels; NaN when fewer than two have an estimate. */
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
  const study = fit.model === "mv" ? fit.groups[0] : undefined;
  const res: SubgroupAnalysis = {
    levels, k: [], ...(study ? { studies: [] } : {}), notEstimated: [], estimate: [], se: [], ciLower: [], ciUpper: [], tau2: [], QW: [], QWdf: [], QWp: [],
    QB: NaN, QBdf: 0, QBp: NaN,
  };
  const skip = (why: string) => {
    res.notEstimated.push(why);
    for (const a of [res.estimate, res.se, res.ciLower, res.ciUpper, res.tau2, res.QW, res.QWdf, res.QWp]) a.push(NaN);
  };
  for (const level of levels) {
    const rows = rowsByLevel.get(level)!;
    res.k.push(rows.length);
    const nStudies = study ? new Set(rows.map((i) => study[i])).size : rows.length;
    res.studies?.push(nStudies);
    if (nStudies < 2) {
      skip("one study");
      continue;
    }
    let f: RmaFit;
    try {
      f = fit.refit(rows);
    } catch (err) {
      if (!(err instanceof MetaInputError)) throw err;
      skip(err.message);
      continue;
    }
    const c = f.coefficients[0];
    res.notEstimated.push(null);
    res.estimate.push(c.estimate);
    res.se.push(c.se);
    res.ciLower.push(c.ciLower);
    res.ciUpper.push(c.ciUpper);
    res.tau2.push(f.model === "uni" ? f.tau2 : f.sigma2.reduce((a, s) => a + s, 0));
    res.QW.push(f.QE);
    res.QWdf.push(f.QEdf);
    res.QWp.push(f.QEp);
  }
  const used = levels.map((_, g) => g).filter((g) => res.notEstimated[g] === null);
  res.QBdf = Math.max(0, used.length - 1);
  if (used.length < 2) return res;
  let sw = 0, swy = 0;
  for (const g of used) {
    const w = 1 / res.se[g] ** 2;
    sw += w;
    swy += w * res.estimate[g];
  }
  const mean = swy / sw;
  res.QB = used.reduce((a, g) => a + (res.estimate[g] - mean) ** 2 / res.se[g] ** 2, 0);
  res.QBp = pChisqUpper(res.QB, res.QBdf);
  return res;
}
