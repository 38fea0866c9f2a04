import quantile from "@stdlib/stats-base-dists-normal-quantile";
import { ScreeningInputError } from "./errors.js";

/**
 * Agreement between two reviewers who rated the same records into nominal
 * categories (e.g. include / exclude / maybe).
 *
 * - Percentage agreement p_o = Σ_i p_ii.
 * - Cohen's kappa κ = (p_o − p_e)/(1 − p_e), p_e = Σ_i p_i· p_·i (Cohen 1960).
 *   Its large-sample standard error (not assuming κ = 0) is Fleiss, Cohen &
 *   Everitt (1969, Psychol Bull 72:323, eq. 13; Fleiss, Levin & Paik 2003,
 *   eq. 18.13):
 *     Var(κ) = { Σ_i p_ii [1 − (p_i· + p_·i)(1 − κ)]²
 *               + (1 − κ)² Σ_{i≠j} p_ij (p_·i + p_j·)²
 *               − [κ − p_e(1 − κ)]² } / [n (1 − p_e)²],
 *   and the CI is the Wald interval κ ± z_{1−α/2} SE truncated to [−1, 1]
 *   (see `boundedWald`).
 * - Gwet's AC1 = (p_o − p_e*)/(1 − p_e*), p_e* = Σ_k π_k(1 − π_k)/(q − 1),
 *   π_k = (p_k· + p_·k)/2, q the number of categories (Gwet 2008, Br J Math
 *   Stat Psychol 61:29, eq. 14). Unlike kappa it stays close to p_o when one
 *   category dominates, as excludes do in screening.
 */
export interface Agreement {
  /** Records rated by both reviewers. */
  n: number;
  /** Categories considered (those either reviewer used, or those given). */
  categories: string[];
  /** Counts: table[i][j] = records rated categories[i] by the first and categories[j] by the second. */
  table: number[][];
  percent: number;
  kappa: number;
  kappaSe: number;
  kappaCi: [number, number];
  ac1: number;
  /** Confidence level of kappaCi. */
  level: number;
}

export interface AgreementOptions {
  /** Category order (and categories neither reviewer used). */
  categories?: readonly string[];
  /** Confidence level for the kappa interval; default 0.95. */
  level?: number;
}

/** Agreement from paired ratings (first[k] and second[k] rate the same record). */
export function agreement(first: readonly string[], second: readonly string[], options: AgreementOptions = {}): Agreement {
  if (first.length !== second.length) throw new ScreeningInputError(`the two rating lists differ in length (${first.length} and ${second.length})`);
  const cats = [...(options.categories ?? [])];
  for (const c of [...first, ...second]) if (!cats.includes(c)) cats.push(c);
  const at = new Map(cats.map((c, i) => [c, i]));
  const table = cats.map(() => cats.map(() => 0));
  for (let k = 0; k < first.length; k++) table[at.get(first[k])!][at.get(second[k])!]++;
  return agreementFromTable(table, { ...options, categories: cats });
}

/** Agreement from a square contingency table of counts. */
export function agreementFromTable(table: readonly (readonly number[])[], options: AgreementOptions = {}): Agreement {
  const q = table.length;
  if (q === 0 || table.some((r) => r.length !== q)) throw new ScreeningInputError("the agreement table must be square and non-empty");
  if (table.some((r) => r.some((v) => !Number.isFinite(v) || v < 0))) throw new ScreeningInputError("agreement counts must be non-negative numbers");
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new ScreeningInputError(`confidence level must be in (0, 1), got ${level}`);
  const categories = options.categories ? [...options.categories] : table.map((_, i) => String(i));
  if (categories.length !== q) throw new ScreeningInputError(`${categories.length} category names for a ${q}×${q} table`);
  let n = 0;
  for (const r of table) for (const v of r) n += v;
  if (n === 0) throw new ScreeningInputError("no record was rated by both reviewers");
  const p = table.map((r) => r.map((v) => v / n));
  const row = p.map((r) => r.reduce((a, b) => a + b, 0));
  const col = p[0].map((_, j) => p.reduce((a, r) => a + r[j], 0));
  let po = 0;
  let pe = 0;
  for (let i = 0; i < q; i++) {
    po += p[i][i];
    pe += row[i] * col[i];
  }
  // With a single category in use both raters agree by necessity: kappa is
  // undefined (0/0); report NaN rather than a made-up value.
  const kappa = pe < 1 ? (po - pe) / (1 - pe) : NaN;
  let a = 0;
  let b = 0;
  for (let i = 0; i < q; i++) {
    a += p[i][i] * (1 - (row[i] + col[i]) * (1 - kappa)) ** 2;
    for (let j = 0; j < q; j++) if (i !== j) b += p[i][j] * (col[i] + row[j]) ** 2;
  }
  const variance = (a + (1 - kappa) ** 2 * b - (kappa - pe * (1 - kappa)) ** 2) / (n * (1 - pe) ** 2);
  const kappaSe = Math.sqrt(Math.max(0, variance));
  const z = quantile(1 - (1 - level) / 2, 0, 1);
  let peStar = 0;
  for (let k = 0; k < q; k++) {
    const pi = (row[k] + col[k]) / 2;
    peStar += pi * (1 - pi);
  }
  peStar = q > 1 ? peStar / (q - 1) : 1;
  const ac1 = peStar < 1 ? (po - peStar) / (1 - peStar) : NaN;
  return {
    n,
    categories,
    table: table.map((r) => [...r]),
    percent: po,
    kappa,
    kappaSe,
    kappaCi: boundedWald(kappa, z * kappaSe),
    ac1,
    level,
  };
}

/**
 * κ ± half, truncated to [−1, 1], κ's range. With few records and high
 * agreement the Wald interval runs past 1 (a team saw "0.623 to 1.014"),
 * naming values κ cannot take. R's psych::cohen.kappa (kappa.R,
 * cohen.kappa1, in the version we read: κ ± qnorm(α/2)·√Var with this same
 * Fleiss–Cohen–Everitt variance) reports the Wald bounds as they fall; we
 * truncate instead, the usual remedy for an interval that leaves the
 * parameter space. Truncation keeps the interval's coverage exactly:
 * every κ in [−1, 1] the Wald interval covers, the truncated one covers too,
 * and it only drops values no table can produce. An upper bound of 1 reads
 * "up to perfect agreement". A better-behaved interval for small n (e.g. a
 * transformed or profile one) would change the width as well; the Wald
 * width is kept so the figures match the references above.
 */
function boundedWald(kappa: number, half: number): [number, number] {
  return [Math.max(-1, kappa - half), Math.min(1, kappa + half)];
}
