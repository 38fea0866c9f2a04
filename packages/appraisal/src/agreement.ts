import type { Tool } from "./types.js";

/**
 * Agreement between two independent assessors over the studies both
 * judged, per domain.
 *
 * - Percentage agreement: the share of studies with the same judgement.
 * - Cohen's kappa (Cohen 1960, Educ Psychol Meas 20:37):
 *   κ = (p_o − p_e)/(1 − p_e), p_e = Σ_i p_i· p_·i.
 * - Weighted kappa (Cohen 1968, Psychol Bull 70:213) with agreement weights
 *   w_ij: κ_w = (p_o(w) − p_e(w))/(1 − p_e(w)), p_o(w) = Σ w_ij p_ij,
 *   p_e(w) = Σ w_ij p_i· p_·j. Linear weights w_ij = 1 − |i − j|/(k − 1)
 *   credit a one-step disagreement on an ordinal scale (Low vs Some
 *   concerns) more than a two-step one (Low vs High); quadratic weights
 *   w_ij = 1 − (i − j)²/(k − 1)² are offered too.
 *
 * Kappa is undefined (0/0) when chance agreement is 1 (both assessors used
 * one and the same category throughout): null, not a made-up value.
 */

export type KappaWeights = "linear" | "quadratic";

/** Counts: table[i][j] = items rated categories[i] by the first assessor and categories[j] by the second. */
export function crossTable(first: readonly string[], second: readonly string[], categories: readonly string[]): number[][] {
  if (first.length !== second.length) throw new Error(`the two rating lists differ in length (${first.length} and ${second.length})`);
  const at = new Map(categories.map((c, i) => [c, i]));
  const table = categories.map(() => categories.map(() => 0));
  for (let k = 0; k < first.length; k++) {
    const i = at.get(first[k]!);
    const j = at.get(second[k]!);
    if (i === undefined || j === undefined) throw new Error(`"${i === undefined ? first[k] : second[k]}" is not one of the categories (${categories.join(", ")})`);
    table[i]![j]! += 1;
  }
  return table;
}

function weightsOf(k: number, weights: KappaWeights | null): number[][] {
  return Array.from({ length: k }, (_, i) =>
    Array.from({ length: k }, (_, j) => {
      if (weights === null || k === 1) return i === j ? 1 : 0;
      const d = Math.abs(i - j) / (k - 1);
      return weights === "linear" ? 1 - d : 1 - d * d;
    }),
  );
}

function checkTable(table: readonly (readonly number[])[]): number {
  const k = table.length;
  if (k === 0 || table.some((r) => r.length !== k)) throw new Error("the agreement table must be square and non-empty");
  let n = 0;
  for (const r of table) for (const v of r) {
    if (!Number.isFinite(v) || v < 0) throw new Error("agreement counts must be non-negative numbers");
    n += v;
  }
  return n;
}

/** Kappa from a square table of counts; unweighted when `weights` is null. Null when undefined (no items, or chance agreement 1). */
export function kappaFromTable(table: readonly (readonly number[])[], weights: KappaWeights | null = null): number | null {
  const n = checkTable(table);
  if (n === 0) return null;
  const k = table.length;
  const w = weightsOf(k, weights);
  const row = table.map((r) => r.reduce((a, b) => a + b, 0) / n);
  const col = table[0]!.map((_, j) => table.reduce((a, r) => a + r[j]!, 0) / n);
  let po = 0;
  let pe = 0;
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      po += w[i]![j]! * (table[i]![j]! / n);
      pe += w[i]![j]! * row[i]! * col[j]!;
    }
  // Rounding can leave 1 − p_e a hair above zero when it is zero in exact arithmetic.
  if (1 - pe < 1e-12) return null;
  return (po - pe) / (1 - pe);
}

export interface PairedJudgements {
  /** The study (or other item) both assessors judged. */
  item: string;
  /** Per domain id (and "overall"): each assessor's judgement, null when they gave none. */
  a: Readonly<Record<string, string | null | undefined>>;
  b: Readonly<Record<string, string | null | undefined>>;
}

export interface DomainAgreement {
  /** Domain id, or "overall". */
  domain: string;
  name: string;
  /** Items judged by both assessors in this domain. */
  n: number;
  agreed: number;
  /** 100 × agreed / n; null when n is 0. */
  percent: number | null;
  kappa: number | null;
  /**
   * Linearly weighted kappa over the items both judged on the tool's
   * ordinal scale (levels with a severity); null when the domain's
   * judgements are not ordinal or kappa is undefined.
   */
  weightedKappa: number | null;
  /** Items the weighted kappa counts (judgements off the ordinal scale, such as "No information", are left out of it). */
  nOrdinal: number;
  /** Categories of the table, the scale's order first. */
  categories: string[];
  table: number[][];
  /** Items where the two disagree. */
  disagreements: { item: string; a: string; b: string }[];
}

/**
 * Agreement per domain of a tool (and for the overall judgement, when the
 * tool has one or a rating) between the two independent assessments of
 * each item, over all items with both.
 */
export function domainAgreement(tool: Tool, pairs: readonly PairedJudgements[], weights: KappaWeights = "linear"): DomainAgreement[] {
  const ordinal = tool.scale.levels.filter((l) => l.severity !== null).sort((x, y) => x.severity! - y.severity!).map((l) => l.label);
  const scaleLabels = tool.scale.levels.map((l) => l.label);
  const rows: { id: string; name: string; labels: readonly string[]; ordinal: boolean }[] = tool.domains.map((d) => ({
    id: d.id,
    name: d.name,
    labels: d.judgements ?? scaleLabels,
    // A domain with its own judgement list (a rating, not the tool's risk scale) is nominal.
    ordinal: d.judgements === undefined,
  }));
  if (tool.overall.kind !== "none") rows.push({ id: "overall", name: "Overall", labels: scaleLabels, ordinal: true });
  else if (tool.overall.ratings.length > 0) rows.push({ id: "overall", name: "Overall rating", labels: tool.overall.ratings, ordinal: false });
  return rows.map(({ id, name, labels, ordinal: isOrdinal }) => {
    const both = pairs.flatMap((p) => {
      const x = p.a[id];
      const y = p.b[id];
      return x != null && y != null ? [{ item: p.item, a: x, b: y }] : [];
    });
    const categories = [...labels];
    for (const p of both) for (const c of [p.a, p.b]) if (!categories.includes(c)) categories.push(c);
    const table = crossTable(both.map((p) => p.a), both.map((p) => p.b), categories);
    const agreed = both.filter((p) => p.a === p.b).length;
    const onScale = isOrdinal ? both.filter((p) => ordinal.includes(p.a) && ordinal.includes(p.b)) : [];
    const weighted =
      isOrdinal && onScale.length > 0 && ordinal.length > 1
        ? kappaFromTable(crossTable(onScale.map((p) => p.a), onScale.map((p) => p.b), ordinal), weights)
        : null;
    return {
      domain: id,
      name,
      n: both.length,
      agreed,
      percent: both.length > 0 ? (100 * agreed) / both.length : null,
      kappa: both.length > 0 ? kappaFromTable(table) : null,
      weightedKappa: weighted,
      nOrdinal: onScale.length,
      categories,
      table,
      disagreements: both.filter((p) => p.a !== p.b),
    };
  });
}
