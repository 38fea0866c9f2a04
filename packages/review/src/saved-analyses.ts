/**
 * Saved analyses as a review reads them: the snapshot kept when an analysis
 * is saved (the `homeward meta` answer and the rows fitted) and what moved
 * when it is re-run against the data of today.
 */
import { metaSpecResult, type FittedSpec, type MetaSpecResult } from "@homeward/meta";
import type { SavedAnalysisRow } from "@homeward/model";

export interface AnalysisSnapshot {
  result: MetaSpecResult;
  rows: SavedAnalysisRow[];
}

/** What a fit gave and the rows it was fitted to, as a saved analysis keeps them. */
export function analysisSnapshot(fitted: FittedSpec): AnalysisSnapshot {
  const { spec, rows } = fitted;
  const label = spec.random[0] ?? "study";
  return {
    result: metaSpecResult(fitted),
    rows: rows.map((r, i) => ({
      effectSizeId: r.effectSizeId === undefined || r.effectSizeId === null ? `row ${i + 1}` : String(r.effectSizeId),
      study: r[label] === undefined || r[label] === null ? "" : String(r[label]),
      yi: Number(r[spec.yi]),
      vi: Number(r[spec.vi]),
    })),
  };
}

interface Interval {
  estimate: number;
  se: number;
  ciLower: number;
  ciUpper: number;
  p: number;
}

export interface CoefficientMove {
  term: string;
  /** null when the term is new (a moderator level that appeared) or gone. */
  before: Interval | null;
  after: Interval | null;
  moved: boolean;
}

export interface StatisticMove {
  name: string;
  before: number | null;
  after: number | null;
  moved: boolean;
}

export interface WhatMoved {
  /** True when nothing moved: the same rows, values and numbers. */
  unchanged: boolean;
  k: { before: number; after: number };
  coefficients: CoefficientMove[];
  /** CR2 robust coefficients, when the analysis asks for them. */
  robust: CoefficientMove[];
  /** τ², σ² per level, I², QE and their kin. */
  heterogeneity: StatisticMove[];
  effectSizes: {
    added: SavedAnalysisRow[];
    removed: SavedAnalysisRow[];
    changed: { effectSizeId: string; study: string; before: { yi: number; vi: number }; after: { yi: number; vi: number } }[];
  };
}

/**
 * Two numbers are "the same" within 1e-9 relative: a re-fit of unchanged data
 * repeats its numbers to the last digit or nearly, while a change in one
 * effect size moves an estimate by far more.
 */
const differs = (a: number | null | undefined, b: number | null | undefined): boolean => {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) !== (b ?? null);
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) !== Number.isNaN(b);
  return Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
};

type CoefLike = { term: string; estimate: number; se: number; ciLower: number; ciUpper: number; p: number };

function coefficientMoves(before: readonly CoefLike[] = [], after: readonly CoefLike[] = []): CoefficientMove[] {
  const pick = (c: CoefLike | undefined): Interval | null => (c ? { estimate: c.estimate, se: c.se, ciLower: c.ciLower, ciUpper: c.ciUpper, p: c.p } : null);
  const terms = [...new Set([...before.map((c) => c.term), ...after.map((c) => c.term)])];
  return terms.map((term) => {
    const b = pick(before.find((c) => c.term === term));
    const a = pick(after.find((c) => c.term === term));
    const moved = !b || !a || (["estimate", "se", "ciLower", "ciUpper", "p"] as const).some((k) => differs(b[k], a[k]));
    return { term, before: b, after: a, moved };
  });
}

/** The saved snapshot against a fit of today's data. */
export function whatMoved(saved: { result: Record<string, unknown>; rows: readonly SavedAnalysisRow[] }, now: AnalysisSnapshot): WhatMoved {
  const b = saved.result as Partial<MetaSpecResult>;
  const a = now.result;
  const coefficients = coefficientMoves(b.coefficients, a.coefficients);
  const robust = coefficientMoves(b.robust?.coefficients, a.robust?.coefficients);
  const heterogeneity: StatisticMove[] = [];
  const stat = (name: string, x: number | null | undefined, y: number | null | undefined) => {
    if ((x === undefined || x === null) && (y === undefined || y === null)) return;
    heterogeneity.push({ name, before: x ?? null, after: y ?? null, moved: differs(x, y) });
  };
  stat("τ²", b.tau2, a.tau2);
  const levels = Math.max(b.sigma2?.length ?? 0, a.sigma2?.length ?? 0);
  for (let i = 0; i < levels; i++) stat(`σ²[${i + 1}]`, b.sigma2?.[i], a.sigma2?.[i]);
  stat("I²", b.I2, a.I2);
  stat("QE", b.QE, a.QE);
  stat("QM", b.QM, a.QM);

  const before = new Map(saved.rows.map((r) => [r.effectSizeId, r]));
  const after = new Map(now.rows.map((r) => [r.effectSizeId, r]));
  const added = now.rows.filter((r) => !before.has(r.effectSizeId));
  const removed = saved.rows.filter((r) => !after.has(r.effectSizeId));
  const changed: WhatMoved["effectSizes"]["changed"] = [];
  for (const r of now.rows) {
    const old = before.get(r.effectSizeId);
    if (old && (differs(old.yi, r.yi) || differs(old.vi, r.vi))) {
      changed.push({ effectSizeId: r.effectSizeId, study: r.study, before: { yi: old.yi, vi: old.vi }, after: { yi: r.yi, vi: r.vi } });
    }
  }
  const k = { before: typeof b.k === "number" ? b.k : saved.rows.length, after: a.k };
  const unchanged = k.before === k.after && added.length === 0 && removed.length === 0 && changed.length === 0
    && !coefficients.some((c) => c.moved) && !robust.some((c) => c.moved) && !heterogeneity.some((h) => h.moved);
  return { unchanged, k, coefficients, robust, heterogeneity, effectSizes: { added, removed, changed } };
}
